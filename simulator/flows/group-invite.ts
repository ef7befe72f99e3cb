import { SimulatorError } from '../errors.js';
import { childOf, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { groupJid, isAdmin, MAX_GROUP_SIZE } from '../world/groups.js';
import type { Group } from '../world/groups.js';
import type { SimContext } from './context.js';
import { groupIq } from './group-iq.js';
import { groupNode, groupOfIq } from './group-metadata.js';
import { notifyGroup, participantNode } from './group-notify.js';
import type { Member } from './group-notify.js';

/** Only admins see or reset the link (401, as whatsmeow's ErrGroupInviteLinkUnauthorized documents). */
const requireLinkAdmin = (group: Group, actor: Member): void => {
  if (!isAdmin(group, actor.phone))
    throw new SimulatorError(401, 'not-authorized', `${actor.phone} may not see the invite link`);
};

export const inviteCode = (group: Group, actor: Member): string => {
  requireLinkAdmin(group, actor);
  return group.inviteCode;
};

/** Resets the link: the old code is refused from now on (406), the new one returned. */
export const revokeInvite = (ctx: SimContext, group: Group, actor: Member): string => {
  requireLinkAdmin(group, actor);
  return ctx.world.groups.revokeInvite(group);
};

export type JoinOutcome = { joined: Group } | { requested: Group };

/**
 * `actor` follows an invite link. The group takes it in at once (everyone hears `<add reason="invite">`) or, when
 * joining needs approval, records a request (admins' devices hear `<created_membership_requests>`).
 */
export const joinByCode = (ctx: SimContext, actor: Member, code: string): JoinOutcome => {
  const group = ctx.world.groups.byInviteCode(code);
  if (!group) throw new SimulatorError(406, 'not-acceptable', 'invite code unknown or revoked');
  if (group.participants.has(actor.phone)) return { joined: group };
  if (group.participants.size >= MAX_GROUP_SIZE)
    throw new SimulatorError(419, 'resource-limit', 'the group is full');
  if (group.joinApproval) {
    group.requests.set(actor.phone, Math.floor(Date.now() / 1000));
    notifyGroup(ctx, group, actor, [
      node('created_membership_requests', { request_method: 'invite_link' }, [participantNode(actor)]),
    ]);
    return { requested: group };
  }
  group.participants.set(actor.phone, 'member');
  notifyGroup(ctx, group, actor, [node('add', { reason: 'invite' }, [participantNode(actor)])]);
  return { joined: group };
};

/**
 * `<invite/>` to a group: get (the code) or set (reset it). `<invite code/>` to `@g.us`: get (the group behind a
 * link, before joining) or set (join).
 */
export const onGroupInvite = groupIq((ctx, { actor }, iq): BinaryNode[] => {
  const code = childOf(iq, 'invite')?.attrs.code;
  if (code === undefined) {
    const group = groupOfIq(ctx, iq, actor.phone);
    const current = iq.attrs.type === 'set' ? revokeInvite(ctx, group, actor) : inviteCode(group, actor);
    return [node('invite', { code: current })];
  }
  if (iq.attrs.type === 'get') {
    const group = ctx.world.groups.byInviteCode(code);
    if (!group) throw new SimulatorError(406, 'not-acceptable', 'invite code unknown or revoked');
    return [groupNode(ctx, group)];
  }
  const outcome = joinByCode(ctx, actor, code);
  if ('requested' in outcome)
    return [node('membership_approval_request', { jid: groupJid(outcome.requested.id) })];
  return [node('group', { jid: groupJid(outcome.joined.id) })];
});
