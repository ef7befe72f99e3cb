import type { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { node, nowSeconds } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { groupJid, isAdmin } from '../world/groups.js';
import type { Group, GroupMessage } from '../world/groups.js';
import type { Contact, MessageKind } from '../world/types.js';
import { lidJid } from '../world/world.js';
import { newMessageId, pushToDevice } from './context.js';
import type { SimContext } from './context.js';
import { actorAttrs, memberOf } from './group-notify.js';
import type { Member } from './group-notify.js';
import { contactDeviceIds, contactPeer } from './lid-addressing.js';
import { tryDecrypt } from './group-send.js';
import type { SignalPeer } from '../world/signal-peer.js';
import { encryptForDevice } from './receive.js';

/** What a contact posts in a group: a text (optionally quoting a message of the group) or a reaction. */
export interface GroupPost {
  text?: string;
  replyTo?: string;
  reaction?: { messageId: string; emoji: string };
  /** The contact's device that posts: 0 (its phone, the default) or one of its companions. */
  fromDevice?: number;
}

/** The sender of a message of the group as a LID device-less jid (how quotes and reaction keys name it). */
const senderOf = (ctx: SimContext, record: GroupMessage | undefined): Member | undefined =>
  record ? memberOf(ctx, record.from) : undefined;

const buildPost = (
  ctx: SimContext,
  group: Group,
  contact: Contact,
  post: GroupPost,
): { message: proto.IMessage; kind: MessageKind } => {
  const gid = groupJid(group.id);
  if (post.reaction) {
    const target = group.messages.find((m) => m.id === post.reaction?.messageId);
    if (!target)
      throw new SimulatorError(404, 'unknown_message', `no message ${post.reaction.messageId} in ${gid}`);
    const sender = senderOf(ctx, target);
    return {
      kind: 'reaction',
      message: {
        reactionMessage: {
          key: {
            remoteJid: gid,
            fromMe: target.from === contact.phone,
            id: target.id,
            ...(sender ? { participant: lidJid(sender.lid) } : {}),
          },
          text: post.reaction.emoji,
          senderTimestampMs: Date.now(),
        },
      },
    };
  }
  const text = post.text ?? '';
  if (!post.replyTo) return { kind: 'text', message: { conversation: text } };
  const quoted = group.messages.find((m) => m.id === post.replyTo);
  if (!quoted) throw new SimulatorError(404, 'unknown_message', `no message ${post.replyTo} in ${gid}`);
  const sender = senderOf(ctx, quoted);
  return {
    kind: 'text',
    message: {
      extendedTextMessage: {
        text,
        contextInfo: {
          stanzaId: quoted.id,
          remoteJid: gid,
          ...(sender ? { participant: lidJid(sender.lid) } : {}),
          quotedMessage: { conversation: quoted.text ?? '' },
        },
      },
    },
  };
};

/**
 * A contact posts in a group from one of its devices, as a WhatsApp client does: it encrypts the message once with
 * its sender key (`skmsg`) and, for each member device it has not given that key to yet, adds a 1:1 copy of its
 * SenderKeyDistributionMessage (`pkmsg`/`msg`). Every linked device of every member account gets
 * `<message from="<group>" participant="<contact lid[:device]>" participant_pn addressing_mode="lid">` with its copy
 * first, then the skmsg.
 */
export const contactPostsToGroup = async (
  ctx: SimContext,
  group: Group,
  contact: Contact,
  post: GroupPost,
): Promise<GroupMessage> => {
  const fromDevice = post.fromDevice ?? 0;
  const peer = contactPeer(contact, fromDevice);
  if (!peer)
    throw new SimulatorError(404, 'unknown_device', `contact ${contact.phone} has no device ${fromDevice}`);
  if (!group.participants.has(contact.phone))
    throw new SimulatorError(403, 'forbidden', `${contact.phone} is not in the group`);
  if (group.announce && !isAdmin(group, contact.phone))
    throw new SimulatorError(403, 'forbidden', 'only admins may post in this group');
  const gid = groupJid(group.id);
  const author = lidJid(contact.lid, fromDevice === 0 ? undefined : fromDevice);
  const { message, kind } = buildPost(ctx, group, contact, post);
  // The distribution message first: it carries the chain as it stands before this message advances it.
  const skdm = await peer.senderKeys.distribution(gid, author);
  const skmsg = await peer.senderKeys.encrypt(gid, author, message);
  const sent = group.keySent.get(author) ?? new Set<string>();
  group.keySent.set(author, sent);
  const record: GroupMessage = {
    id: newMessageId(),
    group: group.id,
    from: contact.phone,
    fromDevice,
    type: kind,
    ...(kind === 'text' ? { text: post.text ?? '' } : {}),
    timestamp: Math.floor(Date.now() / 1000),
    decryptedBy: [],
    undecryptable: [],
    keyCopies: [],
    deliveredTo: [],
    readBy: [],
  };
  const actor = memberOf(ctx, contact.phone);
  if (!actor) throw new SimulatorError(404, 'unknown_member', contact.phone);
  for (const phone of group.participants.keys()) {
    const account = ctx.world.account(phone);
    if (!account) continue;
    for (const device of account.devices.values()) {
      const deviceJid = lidJid(account.lid, device.id);
      const children: BinaryNode[] = [];
      if (!sent.has(deviceJid)) {
        const distribution = {
          senderKeyDistributionMessage: { groupId: gid, axolotlSenderKeyDistributionMessage: skdm },
        };
        const { type, ciphertext } = await encryptForDevice(peer, account, device, distribution);
        children.push(node('enc', { v: '2', type }, ciphertext));
        sent.add(deviceJid);
        record.keyCopies.push(deviceJid);
      }
      children.push(node('enc', { v: '2', type: 'skmsg' }, skmsg));
      pushToDevice(
        ctx,
        account,
        device,
        node(
          'message',
          {
            from: gid,
            id: record.id,
            type: kind === 'reaction' ? 'reaction' : 'text',
            t: nowSeconds(),
            notify: contact.name,
            ...actorAttrs(actor, fromDevice),
          },
          children,
        ),
      );
    }
  }
  group.messages.push(record);
  await simulatedMembersReceive(ctx, group, record, { contact, fromDevice, author, skdm, skmsg });
  return record;
};

/**
 * The other simulated devices in the group (other contacts' phones and companions, the poster's own other devices,
 * member accounts' phones) take the poster's key and decrypt the skmsg. Between two simulated devices there is no
 * wire to watch, so the key is handed over in process rather than in a 1:1 copy.
 */
const simulatedMembersReceive = async (
  ctx: SimContext,
  group: Group,
  record: GroupMessage,
  post: { contact: Contact; fromDevice: number; author: string; skdm: Buffer; skmsg: Buffer },
): Promise<void> => {
  const gid = groupJid(group.id);
  for (const phone of group.participants.keys()) {
    const member = memberOf(ctx, phone);
    const devices: [SignalPeer, string][] = [];
    if (member?.contact) {
      for (const dev of contactDeviceIds(member.contact)) {
        const peer = contactPeer(member.contact, dev);
        if (peer && !(member.contact === post.contact && dev === post.fromDevice))
          devices.push([peer, lidJid(member.lid, dev === 0 ? undefined : dev)]);
      }
    } else if (member?.account) devices.push([member.account.primary, lidJid(member.lid)]);
    for (const [peer, deviceJid] of devices) {
      if (!peer.senderKeys.has(gid, post.author)) await peer.senderKeys.process(gid, post.author, post.skdm);
      await tryDecrypt(ctx, record, peer, deviceJid, post.author, post.skmsg);
    }
  }
};
