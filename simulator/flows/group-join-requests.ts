import { childrenNamed, childrenOf, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { isAdmin } from '../world/groups.js';
import type { Group } from '../world/groups.js';
import type { SimContext } from './context.js';
import { forbidden, groupIq } from './group-iq.js';
import { groupOfIq } from './group-metadata.js';
import { memberOf, notifyGroup, participantNode, phonesNamed } from './group-notify.js';
import type { Member } from './group-notify.js';
import type { ParticipantResult } from './group-participants.js';
import { resultNodes } from './group-participants.js';

export type JoinRequestAction = 'approve' | 'reject';

/** The pending requests to join `group`, oldest first (admins only). */
export const joinRequests = (group: Group, actor: Member): { phone: string; at: number }[] => {
  if (!isAdmin(group, actor.phone)) throw forbidden(`${actor.phone} is not an admin`);
  return [...group.requests].map(([phone, at]) => ({ phone, at }));
};

/**
 * An admin approves or rejects join requests: approved ones become members (everyone hears `<add>`), rejected
 * ones are dropped (`<revoked_membership_requests>`). A target with no pending request gets error 404.
 */
export const actOnJoinRequests = (
  ctx: SimContext,
  group: Group,
  actor: Member,
  action: JoinRequestAction,
  targets: { jid: string; member?: Member }[],
): ParticipantResult[] => {
  if (!isAdmin(group, actor.phone)) throw forbidden(`${actor.phone} is not an admin`);
  const done: Member[] = [];
  const results = targets.map(({ jid, member }): ParticipantResult => {
    if (!member || !group.requests.delete(member.phone)) return { jid, error: 404 };
    if (action === 'approve') group.participants.set(member.phone, 'member');
    done.push(member);
    return { jid, phone: member.phone };
  });
  if (done.length) {
    const tag = action === 'approve' ? 'add' : 'revoked_membership_requests';
    const attrs: Record<string, string> = action === 'approve' ? { reason: 'approval' } : {};
    notifyGroup(ctx, group, actor, [
      node(
        tag,
        attrs,
        done.map((m) => participantNode(m)),
      ),
    ]);
  }
  return results;
};

/** `<membership_approval_requests/>` (get) and `<membership_requests_action>` (set) to a group. */
export const onJoinRequests = groupIq((ctx, { actor }, iq): BinaryNode[] => {
  const group = groupOfIq(ctx, iq, actor.phone);
  const request = childrenOf(iq)[0];
  if (request?.tag === 'membership_approval_requests') {
    const items = joinRequests(group, actor).flatMap(({ phone, at }) => {
      const m = memberOf(ctx, phone);
      if (!m) return [];
      return [
        node('membership_approval_request', {
          ...participantNode(m).attrs,
          request_time: String(at),
          request_method: 'invite_link',
        }),
      ];
    });
    return [node('membership_approval_requests', {}, items)];
  }
  const actionNode = childrenOf(request)[0];
  const action: JoinRequestAction = actionNode?.tag === 'approve' ? 'approve' : 'reject';
  const jids = childrenNamed(actionNode, 'participant').map((p) => p.attrs.jid ?? '');
  const results = actOnJoinRequests(ctx, group, actor, action, phonesNamed(ctx, jids));
  return [node('membership_requests_action', {}, [node(action, {}, resultNodes(ctx, results))])];
});
