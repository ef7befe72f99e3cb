/**
 * WhatsApp groups as the API shows them (docs/api.md, "Groups"). A group is named by its WhatsApp jid,
 * `<digits>@g.us` (`120363012345678901@g.us`; groups made before 2021 read `<creator phone>-<seconds>@g.us`):
 * the same string in paths, in a message's `to` and in chat lists, so nothing has to be translated.
 */
import * as z from 'zod';
import { LidSchema } from './contact-id.js';
import { IdSchema, TimestampSchema } from './ids.js';
import { GROUP_ID_PATTERN, PhoneSchema } from './phone.js';

export { GROUP_ID_PATTERN };

export const GroupIdSchema = z
  .string()
  .regex(GROUP_ID_PATTERN, 'must be a group id: <digits>@g.us (e.g. 120363012345678901@g.us)');
export type GroupId = z.infer<typeof GroupIdSchema>;

/** WhatsApp's limits: members per group (the creator included), subject and description lengths. */
export const GROUP_MAX_MEMBERS = 1024;
export const GROUP_SUBJECT_MAX = 100;
export const GROUP_DESCRIPTION_MAX = 2048;

/** `superadmin` is the group's creator (cannot be demoted); `admin` may change settings and members. */
export const GroupRoleSchema = z.enum(['member', 'admin', 'superadmin']);
export type GroupRole = z.infer<typeof GroupRoleSchema>;

/** A member by what WhatsApp revealed of it: today's LID-addressed groups may hide the number. */
export const GroupParticipantSchema = z
  .object({ phone: PhoneSchema.optional(), lid: LidSchema.optional(), role: GroupRoleSchema })
  .refine((p) => p.phone !== undefined || p.lid !== undefined, 'must name a phone or a lid');
export type GroupParticipant = z.infer<typeof GroupParticipantSchema>;

/** Who a member is, without the role (an event's author, a join request). */
export const GroupMemberIdSchema = z
  .object({ phone: PhoneSchema.optional(), lid: LidSchema.optional() })
  .refine((p) => p.phone !== undefined || p.lid !== undefined, 'must name a phone or a lid');
export type GroupMemberId = z.infer<typeof GroupMemberIdSchema>;

/** What WhatsApp says of a group (the session host's answer, and the stored group without its keys). */
export const GroupInfoSchema = z.object({
  id: GroupIdSchema,
  subject: z.string().max(GROUP_SUBJECT_MAX * 4),
  description: z
    .string()
    .max(GROUP_DESCRIPTION_MAX * 4)
    .optional(),
  /** The creator, when WhatsApp names it. */
  owner: GroupMemberIdSchema.optional(),
  createdAt: TimestampSchema.optional(),
  /** Only admins may send messages. */
  announce: z.boolean(),
  /** Only admins may change the subject, description and settings. */
  locked: z.boolean(),
  /** New members by invite link wait for an admin's approval. */
  joinApproval: z.boolean(),
  size: z.number().int().nonnegative(),
  participants: z.array(GroupParticipantSchema).max(GROUP_MAX_MEMBERS * 2),
});
export type GroupInfo = z.infer<typeof GroupInfoSchema>;

/** A group of a session as stored (`groups` table) and listed by `GET /v1/sessions/{id}/groups`. */
export const GroupSchema = GroupInfoSchema.extend({
  tenantId: IdSchema,
  sessionId: IdSchema,
  /** The account is no longer a member (it left or was removed): kept for history, refused for actions. */
  left: z.boolean().optional(),
  updatedAt: TimestampSchema,
});
export type Group = z.infer<typeof GroupSchema>;

/** The API's view: the stored group without the tenant. */
export const GroupViewSchema = GroupSchema.omit({ tenantId: true });
export type GroupView = z.infer<typeof GroupViewSchema>;

export function toGroupView(group: Group): GroupView {
  const { tenantId: _tenantId, ...view } = group;
  return view;
}
