import { SimulatorError } from '../errors.js';
import { childOf, childrenNamed, node } from '../wire/nodes.js';
import type { Group } from '../world/groups.js';
import { MAX_GROUP_SIZE } from '../world/groups.js';
import type { SimContext } from './context.js';
import { groupIq } from './group-iq.js';
import { groupNode } from './group-metadata.js';
import { notifyGroup, phonesNamed } from './group-notify.js';
import type { Member } from './group-notify.js';

/** WhatsApp's limit on a subject's length (characters). */
export const MAX_SUBJECT = 100;

/**
 * `creator` creates a group with `members`: the creator is its superadmin, the group is LID-addressed (as the server
 * makes every new group today), and every member account's devices get `<create>` with the full group node.
 */
export const createGroup = (ctx: SimContext, creator: Member, subject: string, members: Member[]): Group => {
  if (!subject.trim() || [...subject].length > MAX_SUBJECT)
    throw new SimulatorError(400, 'bad-request', `a subject is 1-${MAX_SUBJECT} characters`);
  const phones = [...new Set(members.map((m) => m.phone))];
  if (phones.length + 1 > MAX_GROUP_SIZE)
    throw new SimulatorError(419, 'resource-limit', `a group has at most ${MAX_GROUP_SIZE} members`);
  const group = ctx.world.groups.create(creator.phone, subject, phones);
  notifyGroup(ctx, group, creator, [node('create', { reason: 'create' }, [groupNode(ctx, group)])]);
  ctx.log('group created', { id: group.id, creator: creator.phone, size: group.participants.size });
  return group;
};

/** `<create subject key><participant jid/>…</create>` to `@g.us`: answered with the new group's node. */
export const onGroupCreate = groupIq((ctx, { actor }, iq) => {
  const create = childOf(iq, 'create');
  const jids = childrenNamed(create, 'participant').map((p) => p.attrs.jid ?? '');
  const named = phonesNamed(ctx, jids);
  const members = named.flatMap((n) => (n.member ? [n.member] : []));
  const group = createGroup(ctx, actor, create?.attrs.subject ?? '', members);
  return [groupNode(ctx, group)];
});
