/** Request and response shapes of the group routes (docs/api.md, "Groups"), for handlers and OpenAPI alike. */
import * as z from 'zod';
import { InviteCodeSchema } from '../contracts/group-requests.js';
import { LidSchema } from '../domain/contact-id.js';
import {
  GROUP_DESCRIPTION_MAX,
  GROUP_MAX_MEMBERS,
  GROUP_SUBJECT_MAX,
  GroupMemberIdSchema,
  GroupViewSchema,
} from '../domain/group.js';
import { TimestampSchema } from '../domain/ids.js';
import { PhoneSchema } from '../domain/phone.js';

const tooMany = `a group holds at most ${GROUP_MAX_MEMBERS} members (WhatsApp's limit), the account included`;

/** Members named by phone number: at most what a group can hold besides the account. */
const MemberPhonesSchema = z
  .array(PhoneSchema)
  .min(1)
  .max(GROUP_MAX_MEMBERS - 1, tooMany);

export const SubjectSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(GROUP_SUBJECT_MAX, `at most ${GROUP_SUBJECT_MAX} characters (WhatsApp's limit)`);

export const CreateGroupRequestSchema = z.strictObject({
  subject: SubjectSchema,
  participants: MemberPhonesSchema.describe('The members to add besides the account, by E.164 number'),
});
export type CreateGroupRequest = z.infer<typeof CreateGroupRequestSchema>;

export const UpdateGroupRequestSchema = z
  .strictObject({
    subject: SubjectSchema.optional(),
    description: z
      .string()
      .max(GROUP_DESCRIPTION_MAX, `at most ${GROUP_DESCRIPTION_MAX} characters (WhatsApp's limit)`)
      .optional()
      .describe('`""` removes the description'),
    announce: z.boolean().optional().describe('Only admins may send messages'),
    locked: z.boolean().optional().describe('Only admins may edit the subject, description and settings'),
    joinApproval: z.boolean().optional().describe('Joining by invite link needs an admin’s approval'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'must change at least one field');
export type UpdateGroupRequest = z.infer<typeof UpdateGroupRequestSchema>;

export const ParticipantsRequestSchema = z.strictObject({
  action: z.enum(['add', 'remove', 'promote', 'demote']),
  participants: MemberPhonesSchema,
});
export type ParticipantsRequest = z.infer<typeof ParticipantsRequestSchema>;

/**
 * One member's outcome, by WhatsApp's per-member code: `ok` (200); otherwise `failed` with `code` and a `reason`
 * (403 the member's privacy needs an invite, 404 not a member, 408 left recently, 409 already a member).
 */
export const MemberOutcomeSchema = z.object({
  phone: PhoneSchema.optional(),
  lid: LidSchema.optional(),
  status: z.enum(['ok', 'failed']),
  code: z.number().int(),
  reason: z.string().optional(),
});

/** Without members (one group may have 1024): `GET .../groups/{groupId}` has them. */
export const GroupSummarySchema = GroupViewSchema.omit({ participants: true });
export const GroupListSchema = z.object({
  items: z.array(GroupSummarySchema),
  cursor: z.string().optional(),
});
export const GroupListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().describe('Page size, 1-100 (default 50)'),
  cursor: z.string().min(1).max(2048).optional().describe('The `cursor` of the previous page'),
  refresh: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: ask WhatsApp for the account’s groups first (needs the session connected)'),
});
export const GroupGetQuerySchema = z.object({
  refresh: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: ask WhatsApp instead of answering the stored copy'),
});

export const ParticipantsResultSchema = z.object({
  results: z.array(MemberOutcomeSchema),
  group: GroupViewSchema.optional(),
});

export const InviteViewSchema = z.object({
  code: InviteCodeSchema,
  link: z.string().describe('https://chat.whatsapp.com/<code>'),
});

const INVITE_LINK = /^https:\/\/chat\.whatsapp\.com\/(?:invite\/)?([\w-]{6,64})\/?$/;

export const JoinGroupRequestSchema = z
  .strictObject({
    code: InviteCodeSchema.optional(),
    link: z.string().regex(INVITE_LINK, 'must be a https://chat.whatsapp.com/<code> link').optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.link === undefined), 'give either code or link');
export type JoinGroupRequest = z.infer<typeof JoinGroupRequestSchema>;

export function inviteCodeOf(request: JoinGroupRequest): string {
  return request.code ?? INVITE_LINK.exec(request.link ?? '')?.[1] ?? '';
}

export const JoinViewSchema = z.object({
  id: GroupViewSchema.shape.id,
  /** `false` while the group's admins have to approve the join. */
  joined: z.boolean(),
  group: GroupViewSchema.optional(),
});

export const JoinRequestViewSchema = GroupMemberIdSchema.and(
  z.object({ requestedAt: TimestampSchema.optional() }),
);
export const JoinRequestListSchema = z.object({ items: z.array(JoinRequestViewSchema) });
export const JoinRequestsAnswerSchema = z.strictObject({
  action: z.enum(['approve', 'reject']),
  participants: MemberPhonesSchema,
});
export const JoinRequestsResultSchema = z.object({ results: z.array(MemberOutcomeSchema) });
export const LeaveViewSchema = z.object({ id: GroupViewSchema.shape.id, left: z.literal(true) });
