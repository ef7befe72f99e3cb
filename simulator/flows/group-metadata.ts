import { childOf, childrenOf, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Group } from '../world/groups.js';
import { lidJid, pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { forbidden, groupIq, notFound } from './group-iq.js';
import { memberOf, participantNode } from './group-notify.js';

/**
 * The `<group>` node of today's server for a LID-addressed group: ids and owners as LIDs with their phone numbers
 * beside them (`creator_pn`, `s_o_pn`, `participant_pn`), settings as children (`announcement`, `locked`,
 * `membership_approval_mode`, `member_add_mode`), one `<participant>` per member (`withParticipants`).
 */
export const groupNode = (ctx: SimContext, group: Group, withParticipants = true): BinaryNode => {
  const creator = memberOf(ctx, group.creator);
  const subjectOwner = memberOf(ctx, group.subjectOwner);
  const children: BinaryNode[] = [];
  if (withParticipants) {
    for (const [phone, role] of group.participants) {
      const m = memberOf(ctx, phone);
      if (m) children.push(participantNode(m, role));
    }
  }
  const d = group.description;
  const descOwner = d ? memberOf(ctx, d.owner) : undefined;
  if (d)
    children.push(
      node(
        'description',
        {
          id: d.id,
          t: String(d.time),
          ...(descOwner
            ? { participant: lidJid(descOwner.lid), participant_pn: pnJid(descOwner.phone) }
            : {}),
        },
        [node('body', {}, Buffer.from(d.text, 'utf8'))],
      ),
    );
  if (group.announce) children.push(node('announcement', {}));
  if (group.locked) children.push(node('locked', {}));
  if (group.joinApproval)
    children.push(node('membership_approval_mode', {}, [node('group_join', { state: 'on' })]));
  children.push(node('member_add_mode', {}, Buffer.from(group.memberAddMode)));
  return node(
    'group',
    {
      id: group.id,
      addressing_mode: 'lid',
      subject: group.subject,
      s_t: String(group.subjectTime),
      creation: String(group.creation),
      size: String(group.participants.size),
      ...(subjectOwner ? { s_o: lidJid(subjectOwner.lid), s_o_pn: pnJid(subjectOwner.phone) } : {}),
      ...(creator
        ? { creator: lidJid(creator.lid), creator_pn: pnJid(creator.phone), creator_country_code: '1' }
        : {}),
    },
    children,
  );
};

/** The group an IQ is addressed to, which the requester must be a member of (404 / 403 otherwise). */
export const groupOfIq = (ctx: SimContext, iq: BinaryNode, phone: string): Group => {
  const group = ctx.world.groups.get(iq.attrs.to ?? '');
  if (!group) throw notFound(`no group ${iq.attrs.to ?? ''}`);
  if (!group.participants.has(phone)) throw forbidden(`${phone} is not in ${group.id}`);
  return group;
};

/** `<query request="interactive"/>` to a group: its metadata (what Baileys' groupMetadata asks before each send). */
export const onGroupQuery = groupIq((ctx, { actor }, iq) => [
  groupNode(ctx, groupOfIq(ctx, iq, actor.phone)),
]);

/**
 * `<participating>` to `@g.us`: every group the account is in (Baileys' groupFetchAllParticipating), with
 * participants and description only when the query asks for them, as the server does.
 */
export const onParticipating = groupIq((ctx, { actor }, iq) => {
  const query = childOf(iq, 'participating');
  const wantParticipants = childrenOf(query).some((c) => c.tag === 'participants');
  const groups = ctx.world.groups.of(actor.phone).map((g) => {
    const n = groupNode(ctx, g, wantParticipants);
    const wantDescription = childrenOf(query).some((c) => c.tag === 'description');
    if (wantDescription || !Array.isArray(n.content)) return n;
    return { ...n, content: n.content.filter((c) => c.tag !== 'description') };
  });
  return [node('groups', {}, groups)];
});
