import { childrenNamed, childrenOf, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { isAdmin, MAX_GROUP_SIZE } from '../world/groups.js';
import type { Group, GroupRole } from '../world/groups.js';
import type { SimContext } from './context.js';
import { forbidden, groupIq } from './group-iq.js';
import { groupOfIq } from './group-metadata.js';
import { notifyGroup, participantNode, phonesNamed } from './group-notify.js';
import type { Member } from './group-notify.js';

export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';
export const PARTICIPANT_ACTIONS: readonly ParticipantAction[] = ['add', 'remove', 'promote', 'demote'];

/** One participant's outcome: `error` is WhatsApp's per-participant code (404 not a member / not on WhatsApp, 409 already in, 419 full). */
export interface ParticipantResult {
  jid: string;
  phone?: string;
  error?: number;
}

const outcome = (group: Group, action: ParticipantAction, member: Member | undefined): number | undefined => {
  if (!member) return 404;
  const role = group.participants.get(member.phone);
  if (action === 'add') {
    if (role) return 409;
    return group.participants.size >= MAX_GROUP_SIZE ? 419 : undefined;
  }
  return role ? undefined : 404;
};

const ROLE_AFTER: Record<Exclude<ParticipantAction, 'remove'>, GroupRole> = {
  add: 'member',
  promote: 'admin',
  demote: 'member',
};

/**
 * `actor` adds, removes, promotes or demotes `targets`. Only admins may (403 for the whole request), except adding
 * when the group lets every member add. Each target gets its own result; those that succeeded are announced to
 * every member device in one notification (the removed hear of it too).
 */
export const changeParticipants = (
  ctx: SimContext,
  group: Group,
  actor: Member,
  action: ParticipantAction,
  targets: { jid: string; member?: Member }[],
): ParticipantResult[] => {
  if (!group.participants.has(actor.phone)) throw forbidden(`${actor.phone} is not in the group`);
  const mayAdd = action === 'add' && group.memberAddMode === 'all_member_add';
  if (!isAdmin(group, actor.phone) && !mayAdd) throw forbidden(`${actor.phone} is not an admin`);
  const done: Member[] = [];
  const results = targets.map(({ jid, member }): ParticipantResult => {
    const error = outcome(group, action, member);
    if (error !== undefined || !member)
      return { jid, ...(member ? { phone: member.phone } : {}), error: error ?? 404 };
    if (action === 'remove') group.participants.delete(member.phone);
    else group.participants.set(member.phone, ROLE_AFTER[action]);
    if (action === 'add') group.requests.delete(member.phone);
    done.push(member);
    return { jid, phone: member.phone };
  });
  if (done.length) {
    notifyGroup(
      ctx,
      group,
      actor,
      [
        node(
          action,
          {},
          done.map((m) => participantNode(m)),
        ),
      ],
      action === 'remove' ? done.map((m) => m.phone) : [],
    );
  }
  return results;
};

/** The per-participant answer: a member by LID and phone number, a refusal by the jid asked for with `error`. */
export const resultNodes = (ctx: SimContext, results: ParticipantResult[]): BinaryNode[] =>
  results.map((r) => {
    const m = r.phone ? phonesNamed(ctx, [r.jid])[0]?.member : undefined;
    if (r.error !== undefined || !m)
      return node('participant', { jid: r.jid, error: String(r.error ?? 404) });
    return participantNode(m);
  });

/** `<add|remove|promote|demote><participant jid/>…</…>` to a group. */
export const onParticipantsChange = groupIq((ctx, { actor }, iq) => {
  const request = childrenOf(iq)[0];
  const action = request?.tag as ParticipantAction;
  const group = groupOfIq(ctx, iq, actor.phone);
  const jids = childrenNamed(request, 'participant').map((p) => p.attrs.jid ?? '');
  const results = changeParticipants(ctx, group, actor, action, phonesNamed(ctx, jids));
  return [node(action, {}, resultNodes(ctx, results))];
});
