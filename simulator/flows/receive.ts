import type { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { node, nowSeconds } from '../wire/nodes.js';
import { encryptMedia } from '../world/media.js';
import type { MediaKind } from '../world/media.js';
import type { CipherType, SignalPeer } from '../world/signal-peer.js';
import type { Account, Contact, LinkedDevice, MessageKind, OutboxEntry } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { newMessageId, pushToDevice } from './context.js';
import type { SimContext } from './context.js';
import { contactPeer, contactSenderAttrs } from './lid-addressing.js';

/**
 * Encrypts `message` from a simulated phone (`peer`) to one linked device and pushes it (or queues it offline).
 * The first message opens a Signal session from the device's published bundle, so it goes out as pkmsg.
 */
export const deliverFromPeer = async (
  ctx: SimContext,
  peer: SignalPeer,
  account: Account,
  device: LinkedDevice,
  message: proto.IMessage,
  attrs: Record<string, string> & { id: string },
  encAttrs: Record<string, string> = {},
): Promise<void> => {
  const { type, ciphertext } = await encryptForDevice(peer, account, device, message);
  pushToDevice(
    ctx,
    account,
    device,
    node('message', { t: nowSeconds(), ...attrs }, [node('enc', { v: '2', type, ...encAttrs }, ciphertext)]),
  );
};

/** Encrypts `message` from a simulated phone to one linked device, opening the session from its bundle if need be. */
export const encryptForDevice = async (
  peer: SignalPeer,
  account: Account,
  device: LinkedDevice,
  message: proto.IMessage,
): Promise<{ type: CipherType; ciphertext: Buffer }> => {
  if (!peer.hasSession(account.phone, device.id)) {
    const first = device.preKeys.entries().next().value;
    if (first) device.preKeys.delete(first[0]);
    await peer.openSession(account.phone, device.id, {
      registrationId: device.registrationId,
      identityKey: device.identityKey,
      signedPreKey: device.signedPreKey,
      ...(first ? { preKey: { keyId: first[0], publicKey: first[1] } } : {}),
    });
  }
  return peer.encrypt(account.phone, device.id, message);
};

export interface ContactMessage {
  text?: string;
  replyTo?: string;
  reaction?: { messageId: string; emoji: string };
  /** The contact's device that sends it: 0 (its phone, the default) or one of its companions. */
  fromDevice?: number;
}

/** A file a contact sends: the plain bytes and what its message says about them. */
export interface ContactMedia {
  kind: MediaKind;
  bytes: Buffer;
  mimetype: string;
  caption?: string;
  fileName?: string;
  /** Audio only: a voice note. */
  ptt?: boolean;
}

/** Where a message id lives from the contact's point of view: one it received, or one it sent. */
const findInConversation = (
  contact: Contact,
  account: Account,
  id: string,
): { fromContact: boolean; text?: string } | undefined => {
  const received = contact.inbox.find((m) => m.id === id && m.from.split(/[:@]/)[0] === account.phone);
  if (received) return { fromContact: false, text: received.text };
  const sent = contact.outbox.find((m) => m.id === id && m.to === account.phone);
  if (sent) return { fromContact: true, text: sent.text };
  return undefined;
};

const buildContent = (
  contact: Contact,
  account: Account,
  input: ContactMessage,
): { message: proto.IMessage; kind: MessageKind } => {
  if (input.reaction) {
    const target = findInConversation(contact, account, input.reaction.messageId);
    return {
      kind: 'reaction',
      message: {
        reactionMessage: {
          // The key is written from the reacting contact's side of the chat.
          key: {
            remoteJid: pnJid(account.phone),
            fromMe: target?.fromContact ?? false,
            id: input.reaction.messageId,
          },
          text: input.reaction.emoji,
          senderTimestampMs: Date.now(),
        },
      },
    };
  }
  const text = input.text ?? '';
  if (!input.replyTo) return { kind: 'text', message: { conversation: text } };
  const quoted = findInConversation(contact, account, input.replyTo);
  if (!quoted)
    throw new SimulatorError(404, 'unknown_message', `no message ${input.replyTo} between these two`);
  return {
    kind: 'text',
    message: {
      extendedTextMessage: {
        text,
        contextInfo: {
          stanzaId: input.replyTo,
          participant: quoted.fromContact ? pnJid(contact.phone) : pnJid(account.phone),
          quotedMessage: { conversation: quoted.text ?? '' },
        },
      },
    },
  };
};

/** A contact sends something to an account: every linked device gets its own encrypted copy. */
export const contactSends = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  input: ContactMessage,
): Promise<OutboxEntry> => {
  const { message, kind } = buildContent(contact, account, input);
  const id = newMessageId();
  const entry: OutboxEntry = {
    id,
    to: account.phone,
    type: kind,
    timestamp: Math.floor(Date.now() / 1000),
    status: 'sent',
    ...(input.text !== undefined && !input.reaction ? { text: input.text } : {}),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    ...(input.fromDevice ? { fromDevice: input.fromDevice } : {}),
  };
  await deliverToDevices(
    ctx,
    contact,
    account,
    entry,
    message,
    kind === 'reaction' ? 'reaction' : 'text',
    {},
    input.fromDevice,
  );
  return entry;
};

/** The WAProto field of each kind of file. */
const MEDIA_FIELD = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
} as const;

/**
 * A contact sends a file: encrypted as a WhatsApp client does, kept by the simulator's media host and linked
 * from the message by `url` (`<mediaBaseUrl>/media/<id>`). There is no `directPath`, so Baileys'
 * `downloadContentFromMessage` fetches `url` itself instead of building a WhatsApp CDN address.
 */
export const contactSendsMedia = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  media: ContactMedia,
  mediaBaseUrl: string,
): Promise<OutboxEntry> => {
  const enc = await encryptMedia(media.bytes, media.kind);
  const mediaId = ctx.world.media.add(enc.file);
  const url = `${mediaBaseUrl}/media/${mediaId}`;
  const caption = media.kind === 'audio' || media.kind === 'sticker' ? undefined : media.caption;
  const fileName = media.kind === 'document' ? (media.fileName ?? 'file') : undefined;
  const ptt = media.kind === 'audio' ? media.ptt === true : undefined;
  const body = {
    url,
    mimetype: media.mimetype,
    mediaKey: enc.mediaKey,
    fileSha256: enc.fileSha256,
    fileEncSha256: enc.fileEncSha256,
    fileLength: enc.fileLength,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
    ...(caption !== undefined ? { caption } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
    ...(ptt !== undefined ? { ptt } : {}),
  };
  const message: proto.IMessage = { [MEDIA_FIELD[media.kind]]: body };
  const entry: OutboxEntry = {
    id: newMessageId(),
    to: account.phone,
    type: media.kind,
    timestamp: Math.floor(Date.now() / 1000),
    status: 'sent',
    ...(caption !== undefined ? { text: caption } : {}),
    media: {
      url,
      mimetype: media.mimetype,
      fileLength: enc.fileLength,
      ...(fileName !== undefined ? { fileName } : {}),
      ...(ptt !== undefined ? { ptt } : {}),
    },
  };
  // The account's phone gets the message too and keeps the file: it is what re-uploads it (flows/media-retry.ts).
  ctx.mediaRetry.copies.set(entry.id, { account: account.phone, mediaKey: enc.mediaKey, mediaId });
  const mediatype = media.kind === 'audio' && ptt ? 'ptt' : media.kind;
  await deliverToDevices(ctx, contact, account, entry, message, 'media', { mediatype });
  return entry;
};

/**
 * A contact sends any message (a location, a contact card, a poll, a vote, an edit, a revoke: the
 * `flows/contact-*.ts` flows build it): recorded in its outbox as `kind`, then encrypted to every linked device.
 */
export const contactSendsMessage = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  message: proto.IMessage,
  entry: { type: MessageKind; text?: string },
  stanzaType = 'text',
): Promise<OutboxEntry> => {
  const sent: OutboxEntry = {
    id: newMessageId(),
    to: account.phone,
    type: entry.type,
    timestamp: Math.floor(Date.now() / 1000),
    status: 'sent',
    ...(entry.text !== undefined ? { text: entry.text } : {}),
  };
  await deliverToDevices(ctx, contact, account, sent, message, stanzaType);
  return sent;
};

/** Records what the contact sent, then gives every linked device of the account its own encrypted copy. */
const deliverToDevices = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  entry: OutboxEntry,
  message: proto.IMessage,
  stanzaType: string,
  encAttrs: Record<string, string> = {},
  fromDevice = 0,
): Promise<void> => {
  const peer = contactPeer(contact, fromDevice);
  if (!peer)
    throw new SimulatorError(404, 'unknown_device', `contact ${contact.phone} has no device ${fromDevice}`);
  contact.outbox.push(entry);
  // The account blocked the contact: the server keeps the message (one tick on the contact's phone).
  if (ctx.profiles.isBlocked(account.phone, contact.phone)) {
    ctx.events.emit('blocked-message', { phone: account.phone, contact: contact.phone, id: entry.id });
    return;
  }
  for (const device of account.devices.values()) {
    await deliverFromPeer(
      ctx,
      peer,
      account,
      device,
      message,
      { id: entry.id, ...contactSenderAttrs(contact, fromDevice), type: stanzaType, notify: contact.name },
      encAttrs,
    );
  }
};
