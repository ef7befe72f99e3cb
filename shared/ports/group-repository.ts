/**
 * A session's groups (docs/data-model.md, "groups"): what WhatsApp last told of each group the account is or was
 * in, kept from the host's group notifications and the API's own group calls, so listing needs no round trip to
 * WhatsApp. Addressed by session: tenant-facing callers check the session's tenant first; items carry `tenantId`.
 */
import type { Group, GroupInfo, GroupMemberId, GroupParticipant } from '../domain/group.js';
import type { Page, PageRequest } from './pagination.js';

export type GroupSettingsPatch = Partial<
  Pick<Group, 'subject' | 'announce' | 'locked' | 'joinApproval' | 'left'> & { description: string | null }
>;

export type ParticipantsChange = 'add' | 'remove' | 'promote' | 'demote';

export interface GroupRepository {
  /** Stores what WhatsApp said of the group, as a whole (the account is a member: `left` is cleared). */
  put(tenantId: string, sessionId: string, info: GroupInfo, at: string): Promise<Group>;
  get(sessionId: string, groupId: string): Promise<Group | null>;
  /** Ordered by group id. */
  list(sessionId: string, page?: PageRequest): Promise<Page<Group>>;
  /** Changes settings of a stored group; null when the group is not stored. */
  patch(sessionId: string, groupId: string, patch: GroupSettingsPatch, at: string): Promise<Group | null>;
  /**
   * Applies a participants notification to the stored member list (optimistic: retried on a concurrent write);
   * null when the group is not stored.
   */
  changeParticipants(
    sessionId: string,
    groupId: string,
    change: ParticipantsChange,
    members: readonly (GroupMemberId | GroupParticipant)[],
    at: string,
  ): Promise<Group | null>;
}
