/**
 * Group events (docs/events-and-webhooks.md, "Groups"), from the WhatsApp notifications the session's owner host
 * receives: a group's settings changed, members changed, the account joined or left. `by` is who did it, when
 * WhatsApp says so (absent for changes WhatsApp itself made, e.g. a join by invite link).
 */
import * as z from 'zod';
import { GroupIdSchema, GroupMemberIdSchema, GroupParticipantSchema } from './group.js';

export const GroupUpdatedEventDataSchema = z.object({
  groupId: GroupIdSchema,
  /** Only what changed; `description: null` when it was removed. */
  changes: z.object({
    subject: z.string().optional(),
    description: z.string().nullable().optional(),
    announce: z.boolean().optional(),
    locked: z.boolean().optional(),
    joinApproval: z.boolean().optional(),
  }),
  by: GroupMemberIdSchema.optional(),
});
export type GroupUpdatedEventData = z.infer<typeof GroupUpdatedEventDataSchema>;

export const GroupParticipantsActionSchema = z.enum(['added', 'removed', 'promoted', 'demoted']);
export type GroupParticipantsAction = z.infer<typeof GroupParticipantsActionSchema>;

export const GroupParticipantsEventDataSchema = z.object({
  groupId: GroupIdSchema,
  action: GroupParticipantsActionSchema,
  participants: z.array(GroupMemberIdSchema).min(1),
  by: GroupMemberIdSchema.optional(),
});
export type GroupParticipantsEventData = z.infer<typeof GroupParticipantsEventDataSchema>;

/** The account is in a group it was not in: it created it, was added, or joined by invite. */
export const GroupJoinedEventDataSchema = z.object({
  groupId: GroupIdSchema,
  subject: z.string().optional(),
  participants: z.array(GroupParticipantSchema).optional(),
  by: GroupMemberIdSchema.optional(),
});
export type GroupJoinedEventData = z.infer<typeof GroupJoinedEventDataSchema>;

/** The account is no longer in the group: it left (`left`) or an admin removed it (`removed`, `by`). */
export const GroupLeftEventDataSchema = z.object({
  groupId: GroupIdSchema,
  reason: z.enum(['left', 'removed']),
  by: GroupMemberIdSchema.optional(),
});
export type GroupLeftEventData = z.infer<typeof GroupLeftEventDataSchema>;
