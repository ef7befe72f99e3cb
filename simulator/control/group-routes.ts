/**
 * Control routes for groups (docs/simulator.md, "Groups"): what simulated contacts do in groups, and what the
 * server holds. `actor` / `from` / `phone` name a contact (created on first use); members are accounts or contacts.
 */
import { z } from 'zod';
import type { WhatsAppSimulator } from '../simulator.js';
import { PARTICIPANT_ACTIONS } from '../flows/group-participants.js';
import type { GroupSettingChange } from '../flows/group-settings.js';

const phone = z.string().regex(/^\+?\d{6,15}$/, 'a phone number: 6-15 digits, optional leading +');
const messageId = z.string().min(1).max(128);
const phones = z.array(phone).min(1).max(1024);

export const groupCreateBody = z
  .object({ creator: phone, subject: z.string().min(1).max(100), participants: z.array(phone).max(1023) })
  .strict();
export const groupPostBody = z
  .object({
    from: phone,
    text: z.string().min(1).max(65_536).optional(),
    replyTo: messageId.optional(),
    reaction: z
      .object({ messageId, emoji: z.string().max(16) })
      .strict()
      .optional(),
    fromDevice: z.number().int().min(0).max(99).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.reaction === undefined), {
    message: 'exactly one of text or reaction',
    path: ['text'],
  });
export const groupParticipantsBody = z
  .object({ actor: phone, action: z.enum(PARTICIPANT_ACTIONS), participants: phones })
  .strict();
export const groupSettingsBody = z
  .object({
    actor: phone,
    subject: z.string().min(1).max(100).optional(),
    description: z.string().max(2048).nullable().optional(),
    announce: z.boolean().optional(),
    locked: z.boolean().optional(),
    joinApproval: z.boolean().optional(),
    memberAddMode: z.enum(['admin_add', 'all_member_add']).optional(),
  })
  .strict();
export const groupInviteBody = z.object({ actor: phone, reset: z.boolean().default(false) }).strict();
export const groupJoinBody = z.object({ phone, code: z.string().min(1).max(64) }).strict();
export const groupJoinRequestsBody = z
  .object({ actor: phone, action: z.enum(['approve', 'reject']), participants: phones })
  .strict();
export const groupLeaveBody = z.object({ phone }).strict();
export const groupReceiptBody = z.object({ from: phone, type: z.enum(['delivered', 'read']) }).strict();

/** Each setting given in the body, in a fixed order (one notification each, as a phone makes them). */
const settingChanges = (body: z.infer<typeof groupSettingsBody>): GroupSettingChange[] => {
  const changes: GroupSettingChange[] = [];
  if (body.subject !== undefined) changes.push({ subject: body.subject });
  if (body.description !== undefined) changes.push({ description: body.description });
  if (body.announce !== undefined) changes.push({ announce: body.announce });
  if (body.locked !== undefined) changes.push({ locked: body.locked });
  if (body.joinApproval !== undefined) changes.push({ joinApproval: body.joinApproval });
  if (body.memberAddMode !== undefined) changes.push({ memberAddMode: body.memberAddMode });
  return changes;
};

interface GroupRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  run: (
    sim: WhatsAppSimulator,
    params: string[],
    body: unknown,
  ) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown };
}

const GROUP = '(\\d{6,30})';
const at = (suffix = ''): RegExp => new RegExp(`^/groups/${GROUP}${suffix}$`);
const id = (params: string[]): string => params[0] ?? '';
const ok = (body: unknown, status = 200) => ({ status, body });

export const GROUP_ROUTES: readonly GroupRoute[] = [
  { method: 'GET', pattern: /^\/groups$/, run: (sim) => ok({ items: sim.groups.list() }) },
  {
    method: 'POST',
    pattern: /^\/groups$/,
    run: (sim, _p, body) => {
      const { creator, subject, participants } = groupCreateBody.parse(body);
      return ok(sim.groups.create(creator, subject, participants), 201);
    },
  },
  {
    method: 'POST',
    pattern: /^\/groups\/join$/,
    run: (sim, _p, body) => {
      const { phone: who, code } = groupJoinBody.parse(body);
      return ok(sim.groups.join(code, who));
    },
  },
  { method: 'GET', pattern: at(), run: (sim, p) => ok(sim.groups.get(id(p))) },
  { method: 'GET', pattern: at('/messages'), run: (sim, p) => ok({ items: sim.groups.messages(id(p)) }) },
  {
    method: 'POST',
    pattern: at('/messages'),
    run: async (sim, p, body) => {
      const { from, ...post } = groupPostBody.parse(body);
      return ok(await sim.groups.post(id(p), from, post), 201);
    },
  },
  {
    method: 'POST',
    pattern: at('/messages/([^/]{1,128})/receipt'),
    run: (sim, p, body) => {
      const { from, type } = groupReceiptBody.parse(body);
      return ok(sim.groups.receipt(id(p), decodeURIComponent(p[1] ?? ''), from, type));
    },
  },
  {
    method: 'POST',
    pattern: at('/participants'),
    run: (sim, p, body) => {
      const { actor, action, participants } = groupParticipantsBody.parse(body);
      return ok({ results: sim.groups.participants(id(p), actor, action, participants) });
    },
  },
  {
    method: 'POST',
    pattern: at('/settings'),
    run: (sim, p, body) => {
      const parsed = groupSettingsBody.parse(body);
      let view = sim.groups.get(id(p));
      for (const change of settingChanges(parsed)) view = sim.groups.setting(id(p), parsed.actor, change);
      return ok(view);
    },
  },
  {
    method: 'POST',
    pattern: at('/invite'),
    run: (sim, p, body) => {
      const { actor, reset } = groupInviteBody.parse(body);
      return ok({ code: sim.groups.inviteCode(id(p), actor, reset) });
    },
  },
  {
    method: 'POST',
    pattern: at('/join-requests'),
    run: (sim, p, body) => {
      const { actor, action, participants } = groupJoinRequestsBody.parse(body);
      return ok({ results: sim.groups.joinRequests(id(p), actor, action, participants) });
    },
  },
  {
    method: 'POST',
    pattern: at('/leave'),
    run: (sim, p, body) => ok(sim.groups.leave(id(p), groupLeaveBody.parse(body).phone)),
  },
  {
    method: 'POST',
    pattern: at('/forget-sender-keys'),
    run: (sim, p, body) =>
      ok({ dropped: sim.groups.forgetSenderKeys(id(p), groupLeaveBody.parse(body).phone) }),
  },
];
