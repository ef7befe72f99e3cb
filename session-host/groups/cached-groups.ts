/**
 * The host's groups, read through a short-lived cache. Two hot paths read a stored group per event: every group
 * message names its chat by the group's subject (`chat.updated`), and every member's delivery or read receipt of a
 * group message rolls up against the group's size. A 50-member group cost ~100 `GetItem`s per message sent to it.
 *
 * Fresh enough: this host's own writes (group notifications from WhatsApp, `group-watch.ts`) replace the cached
 * group at once, and a change made elsewhere (the API's group calls) also reaches this host as a notification;
 * anything else is read again after `ttlMs`. Concurrent reads of one group share one `GetItem`.
 */
import type { Group, GroupMemberId, GroupParticipant, GroupInfo } from '../../shared/domain/group.js';
import type {
  GroupRepository,
  GroupSettingsPatch,
  ParticipantsChange,
} from '../../shared/ports/group-repository.js';
import type { Page, PageRequest } from '../../shared/ports/pagination.js';

export interface GroupCacheOptions {
  /** How long a read stays good (default 30 s). */
  readonly ttlMs?: number;
  /** Groups kept; the oldest read goes first (default 10,000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly group: Promise<Group | null>;
  readonly until: number;
}

export class CachedGroupRepository implements GroupRepository {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(
    private readonly inner: GroupRepository,
    options: GroupCacheOptions = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get(sessionId: string, groupId: string): Promise<Group | null> {
    const key = keyOf(sessionId, groupId);
    const cached = this.#entries.get(key);
    if (cached && cached.until > this.#now()) return cached.group;
    const group = this.inner.get(sessionId, groupId);
    this.#remember(key, group);
    // A failed read is not kept: the next caller asks again.
    group.catch(() => {
      if (this.#entries.get(key)?.group === group) this.#entries.delete(key);
    });
    return group;
  }

  list(sessionId: string, page?: PageRequest): Promise<Page<Group>> {
    return this.inner.list(sessionId, page);
  }

  async put(tenantId: string, sessionId: string, info: GroupInfo, at: string): Promise<Group> {
    return this.#written(sessionId, info.id, this.inner.put(tenantId, sessionId, info, at));
  }

  async patch(
    sessionId: string,
    groupId: string,
    patch: GroupSettingsPatch,
    at: string,
  ): Promise<Group | null> {
    return this.#written(sessionId, groupId, this.inner.patch(sessionId, groupId, patch, at));
  }

  async changeParticipants(
    sessionId: string,
    groupId: string,
    change: ParticipantsChange,
    members: readonly (GroupMemberId | GroupParticipant)[],
    at: string,
  ): Promise<Group | null> {
    return this.#written(
      sessionId,
      groupId,
      this.inner.changeParticipants(sessionId, groupId, change, members, at),
    );
  }

  /** A write's answer is the group as stored now; a failed write may have landed, so the next read asks. */
  async #written<T extends Group | null>(sessionId: string, groupId: string, write: Promise<T>): Promise<T> {
    const key = keyOf(sessionId, groupId);
    this.#entries.delete(key);
    const group = await write;
    this.#remember(key, Promise.resolve(group));
    return group;
  }

  #remember(key: string, group: Promise<Group | null>): void {
    this.#entries.delete(key);
    this.#entries.set(key, { group, until: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

const keyOf = (sessionId: string, groupId: string): string => `${sessionId}\n${groupId}`;
