/**
 * Group host requests (`host-request.ts`): what the API asks the owner host to do on WhatsApp's `w:g2` group
 * API, and what the host answers. Members travel as user jids (phone-number or LID); the host answers with
 * `{ phone?, lid? }` as WhatsApp revealed them.
 */
import * as z from 'zod';
import {
  GROUP_DESCRIPTION_MAX,
  GROUP_MAX_MEMBERS,
  GROUP_SUBJECT_MAX,
  GroupIdSchema,
  GroupInfoSchema,
  GroupMemberIdSchema,
} from '../domain/group.js';

const MemberJidSchema = z.string().regex(/^[1-9]\d{5,23}@(s\.whatsapp\.net|lid)$/, 'must be a user jid');
const MemberJidsSchema = z
  .array(MemberJidSchema)
  .min(1)
  .max(GROUP_MAX_MEMBERS - 1);

export const GroupsListRequestSchema = z.object({ kind: z.literal('groups.list') });
export const GroupCreateRequestSchema = z.object({
  kind: z.literal('groups.create'),
  subject: z.string().min(1).max(GROUP_SUBJECT_MAX),
  participants: MemberJidsSchema,
});
export const GroupMetadataRequestSchema = z.object({
  kind: z.literal('groups.metadata'),
  jid: GroupIdSchema,
});
export const GroupUpdateRequestSchema = z.object({
  kind: z.literal('groups.update'),
  jid: GroupIdSchema,
  subject: z.string().min(1).max(GROUP_SUBJECT_MAX).optional(),
  /** `''` removes the description. */
  description: z.string().max(GROUP_DESCRIPTION_MAX).optional(),
  announce: z.boolean().optional(),
  locked: z.boolean().optional(),
  joinApproval: z.boolean().optional(),
});
export const GroupParticipantsRequestSchema = z.object({
  kind: z.literal('groups.participants'),
  jid: GroupIdSchema,
  action: z.enum(['add', 'remove', 'promote', 'demote']),
  participants: MemberJidsSchema,
});
export const GroupInviteRequestSchema = z.object({
  kind: z.literal('groups.invite'),
  jid: GroupIdSchema,
  /** Revoke the current link and answer the new one. */
  revoke: z.boolean(),
});
export const InviteCodeSchema = z
  .string()
  .regex(/^[\w-]{6,64}$/, 'must be an invite code: the part after chat.whatsapp.com/');
export const GroupJoinRequestSchema = z.object({ kind: z.literal('groups.join'), code: InviteCodeSchema });
export const GroupJoinRequestsRequestSchema = z.object({
  kind: z.literal('groups.requests'),
  jid: GroupIdSchema,
});
export const GroupJoinRequestsUpdateRequestSchema = z.object({
  kind: z.literal('groups.requests.update'),
  jid: GroupIdSchema,
  action: z.enum(['approve', 'reject']),
  participants: MemberJidsSchema,
});
export const GroupLeaveRequestSchema = z.object({ kind: z.literal('groups.leave'), jid: GroupIdSchema });

export const GROUP_REQUEST_SCHEMAS = [
  GroupsListRequestSchema,
  GroupCreateRequestSchema,
  GroupMetadataRequestSchema,
  GroupUpdateRequestSchema,
  GroupParticipantsRequestSchema,
  GroupInviteRequestSchema,
  GroupJoinRequestSchema,
  GroupJoinRequestsRequestSchema,
  GroupJoinRequestsUpdateRequestSchema,
  GroupLeaveRequestSchema,
] as const;

/**
 * One member's outcome of a participants change: WhatsApp answers per member (`200` done; otherwise its code,
 * e.g. 403 the member's privacy settings require an invite, 408 recently left, 409 already a member, 404 not a
 * member).
 */
export const MemberResultSchema = z.object({
  member: GroupMemberIdSchema,
  code: z.number().int().min(100).max(999),
});
export type MemberResult = z.infer<typeof MemberResultSchema>;

export const JoinRequestSchema = GroupMemberIdSchema.and(
  z.object({ requestedAt: z.iso.datetime({ offset: false, precision: 3 }).optional() }),
);

export const GROUP_RESULT_SCHEMAS = {
  'groups.list': z.object({ groups: z.array(GroupInfoSchema).max(10_000) }),
  'groups.create': GroupInfoSchema,
  'groups.metadata': GroupInfoSchema,
  'groups.update': GroupInfoSchema,
  'groups.participants': z.object({
    results: z.array(MemberResultSchema).max(GROUP_MAX_MEMBERS),
    group: GroupInfoSchema.optional(),
  }),
  'groups.invite': z.object({ code: InviteCodeSchema }),
  'groups.join': z.object({ group: GroupInfoSchema.optional(), id: GroupIdSchema }),
  'groups.requests': z.object({ items: z.array(JoinRequestSchema).max(10_000) }),
  'groups.requests.update': z.object({ results: z.array(MemberResultSchema).max(GROUP_MAX_MEMBERS) }),
  'groups.leave': z.object({ left: z.literal(true) }),
} as const;
