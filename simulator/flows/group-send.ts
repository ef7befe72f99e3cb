import { jidDecode } from '@whiskeysockets/baileys';
import type { proto } from '@whiskeysockets/baileys';
import { bufferOf, childOf, childrenNamed, childrenOf, node, nowSeconds } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { groupJid, isAdmin, messageJson } from '../world/groups.js';
import type { Group, GroupMessage } from '../world/groups.js';
import type { SignalPeer } from '../world/signal-peer.js';
import type { Account, LinkedDevice } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import { pushToDevice, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { memberOf } from './group-notify.js';
import { askGroupResend, waitingDevices } from './group-retry.js';
import { contactDeviceIds, contactPeer } from './lid-addressing.js';
import { kindOf, receiveMedia, textOf } from './send.js';

/** Why the server refuses a group message (ack error): not a group, not a member, or an admins-only group. */
const refusal = (group: Group | undefined, phone: string): number | undefined => {
  if (!group) return 404;
  if (!group.participants.has(phone)) return 403;
  if (group.announce && !isAdmin(group, phone)) return 403;
  return undefined;
};

/**
 * Takes in a sender key distribution message a device got over its 1:1 session (the `<to>` copies of a group
 * message): decrypts the copy and keeps the key under the sending device.
 */
const takeDistribution = async (
  peer: SignalPeer,
  account: Account,
  sender: LinkedDevice,
  enc: BinaryNode,
  author: string,
): Promise<void> => {
  const ciphertext = bufferOf(enc);
  if (!ciphertext) return;
  const m = await peer.decrypt(account.phone, sender.id, enc.attrs.type ?? '', ciphertext);
  const skdm = m.senderKeyDistributionMessage;
  if (skdm?.axolotlSenderKeyDistributionMessage && skdm.groupId)
    await peer.senderKeys.process(skdm.groupId, author, skdm.axolotlSenderKeyDistributionMessage);
};

/** A simulated device tries the fanned-out skmsg: what it decrypted is recorded on the group message. */
export const tryDecrypt = async (
  ctx: SimContext,
  record: GroupMessage,
  peer: SignalPeer,
  deviceJid: string,
  author: string,
  skmsg: Buffer,
): Promise<proto.Message | undefined> => {
  const group = groupJid(record.group);
  try {
    const m = await peer.senderKeys.decrypt(group, author, skmsg);
    record.decryptedBy.push(deviceJid);
    if (record.content === undefined) {
      const text = textOf(m);
      record.type = kindOf(m);
      record.content = messageJson(m);
      if (text !== undefined) record.text = text;
      // The first device to decrypt a media post fetches and checks the file, as a phone does.
      const media = await receiveMedia(ctx, m);
      if (media) record.media = media.media;
    }
    ctx.events.emit('group-message', {
      group,
      id: record.id,
      from: record.from,
      device: deviceJid,
      message: m,
    });
    return m;
  } catch (error) {
    record.undecryptable.push(deviceJid);
    const why = error instanceof Error ? error.message : String(error);
    ctx.events.emit('group-message', {
      group,
      id: record.id,
      from: record.from,
      device: deviceJid,
      error: why,
    });
    return undefined;
  }
};

/**
 * A contact's phone that decrypted a group message reports it delivered to the sender's devices:
 * `<receipt from="<group>" participant="<contact lid>">`, one per participant, as the server relays them.
 */
export const groupReceipt = (
  ctx: SimContext,
  record: GroupMessage,
  fromPhone: string,
  type: 'delivered' | 'read',
): void => {
  const sender = ctx.world.account(record.from);
  const member = memberOf(ctx, fromPhone);
  if (!sender || !member) return;
  const list = type === 'read' ? record.readBy : record.deliveredTo;
  if (!list.includes(fromPhone)) list.push(fromPhone);
  for (const device of sender.devices.values()) {
    pushToDevice(
      ctx,
      sender,
      device,
      node('receipt', {
        from: groupJid(record.group),
        participant: lidJid(member.lid),
        participant_pn: pnJid(member.phone),
        id: record.id,
        t: nowSeconds(),
        ...(type === 'read' ? { type: 'read' } : {}),
      }),
    );
  }
};

/** The 1:1 copies of a group message by device jid (`<participants><to jid><enc/></to>…`). */
const copiesByJid = (message: BinaryNode): Map<string, BinaryNode> => {
  const copies = new Map<string, BinaryNode>();
  for (const to of childrenNamed(childOf(message, 'participants'), 'to')) {
    const enc = childOf(to, 'enc');
    if (enc && to.attrs.jid) copies.set(to.attrs.jid, enc);
  }
  return copies;
};

/** A device's 1:1 copy in a group message: addressed by its LID (today) or by its phone number. */
const copyFor = (
  copies: ReadonlyMap<string, BinaryNode>,
  phone: string,
  lid: string,
  device: number,
): BinaryNode | undefined => copies.get(lidJid(lid, device)) ?? copies.get(pnJid(phone, device));

/**
 * A companion posts to a group (`<message to="<id>@g.us">`): one `skmsg` for everyone, plus 1:1 copies carrying its
 * sender key for devices that do not have it yet. The server acks it (403 for a non-member or a non-admin in an
 * admins-only group), then fans the skmsg out to every member device: contacts' devices (phone and companions)
 * and the account's own phone decrypt it here; other companions (the sender's siblings, other accounts'
 * devices) get `<message from="<group>" participant="<sender lid:device>">` with their copy, if any, first.
 */
export const onGroupMessage = async (
  ctx: SimContext,
  session: Session,
  message: BinaryNode,
): Promise<void> => {
  const { account, device } = requireLoggedIn(session);
  const id = message.attrs.id ?? '';
  const to = message.attrs.to ?? '';
  const group = ctx.world.groups.get(to);
  const error = ctx.faults.takeAckError(account.phone) ?? refusal(group, account.phone);
  await send(
    session,
    node('ack', {
      class: 'message',
      id,
      from: to,
      t: nowSeconds(),
      ...(error !== undefined ? { error: String(error) } : { addressing_mode: 'lid' }),
    }),
  );
  ctx.events.emit('message-ack', { phone: account.phone, id, ...(error !== undefined ? { error } : {}) });
  const skmsg = childrenOf(message).find((c) => c.tag === 'enc' && c.attrs.type === 'skmsg');
  const ciphertext = bufferOf(skmsg);
  if (error !== undefined || !group || !skmsg || !ciphertext) return;

  const author = lidJid(account.lid, device.id);
  const earlier = group.messages.find((m) => m.id === id && m.from === account.phone);
  if (earlier) {
    await deliverResend(ctx, group, earlier, account, device, message, author, ciphertext);
    return;
  }
  const record: GroupMessage = {
    id,
    group: group.id,
    from: account.phone,
    fromDevice: device.id,
    type: 'other',
    timestamp: Math.floor(Date.now() / 1000),
    decryptedBy: [],
    undecryptable: [],
    deliveredTo: [],
    readBy: [],
    keyCopies: [...copiesByJid(message).keys()],
  };
  group.messages.push(record);
  const copies = copiesByJid(message);

  for (const phone of group.participants.keys()) {
    const member = memberOf(ctx, phone);
    if (member?.contact) {
      for (const dev of contactDeviceIds(member.contact)) {
        const peer = contactPeer(member.contact, dev);
        if (!peer) continue;
        const copy = copyFor(copies, phone, member.lid, dev);
        if (copy) await takeDistribution(peer, account, device, copy, author);
        const deviceJid = lidJid(member.lid, dev);
        const decrypted = await tryDecrypt(ctx, record, peer, deviceJid, author, ciphertext);
        if (decrypted && dev === 0) groupReceipt(ctx, record, phone, 'delivered');
        // A phone that cannot read it asks the sender for it again, as for a 1:1 message (group-retry.ts).
        if (!decrypted) askGroupResend(ctx, record, member.contact, dev, account);
      }
    } else if (member?.account) {
      const target = member.account;
      const copy = copyFor(copies, phone, target.lid, 0);
      if (copy) await takeDistribution(target.primary, account, device, copy, author);
      await tryDecrypt(ctx, record, target.primary, lidJid(target.lid, 0), author, ciphertext);
      for (const companion of target.devices.values()) {
        if (target === account && companion === device) continue;
        const own = copyFor(copies, phone, target.lid, companion.id);
        pushToDevice(
          ctx,
          target,
          companion,
          node(
            'message',
            {
              from: groupJid(group.id),
              participant: author,
              participant_pn: pnJid(account.phone),
              addressing_mode: 'lid',
              id,
              type: message.attrs.type ?? 'text',
              t: nowSeconds(),
              notify: account.name,
            },
            [...(own ? [own] : []), skmsg],
          ),
        );
      }
    }
  }
};

/**
 * The sender posted `record`'s id again (after a retry receipt): only the contacts' devices still waiting for it get
 * it, with their copy of the sender key if it carries one; the others hold the id already (group-retry.ts).
 */
const deliverResend = async (
  ctx: SimContext,
  group: Group,
  record: GroupMessage,
  account: Account,
  device: LinkedDevice,
  message: BinaryNode,
  author: string,
  ciphertext: Buffer,
): Promise<void> => {
  const copies = copiesByJid(message);
  for (const waiting of waitingDevices(ctx, group, record)) {
    const peer = contactPeer(waiting.contact, waiting.deviceId);
    if (!peer) continue;
    const copy = copyFor(copies, waiting.phone, waiting.contact.lid, waiting.deviceId);
    if (copy) await takeDistribution(peer, account, device, copy, author);
    record.undecryptable = record.undecryptable.filter((jid) => jid !== waiting.deviceJid);
    record.resends = (record.resends ?? 0) + 1;
    const decrypted = await tryDecrypt(ctx, record, peer, waiting.deviceJid, author, ciphertext);
    if (decrypted && waiting.deviceId === 0) groupReceipt(ctx, record, waiting.phone, 'delivered');
    if (!decrypted) askGroupResend(ctx, record, waiting.contact, waiting.deviceId, account);
  }
};

export const isGroupJid = (jid: string | undefined): boolean => jidDecode(jid ?? '')?.server === 'g.us';
