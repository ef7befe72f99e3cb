import { createHash } from 'node:crypto';
import { jidDecode } from '@whiskeysockets/baileys';
import type { proto } from '@whiskeysockets/baileys';
import { bufferOf, childOf, childrenNamed, node, nowSeconds } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { decryptMedia, mediaIdOf } from '../world/media.js';
import type { MediaKind } from '../world/media.js';
import type { Account, InboxEntry, LinkedDevice, MessageKind } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { pushToDevice, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { reachoutRefusal } from './timelock.js';
import { interceptContactCopy, phoneDecrypted, phoneFailedToDecrypt } from './retry-receipts.js';
import { pnSendRefusal } from './lid-send.js';
import { applyToInbox } from './inbox-actions.js';

const KIND_BY_FIELD: [keyof proto.IMessage, MessageKind][] = [
  ['conversation', 'text'],
  ['extendedTextMessage', 'text'],
  ['reactionMessage', 'reaction'],
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  ['audioMessage', 'audio'],
  ['documentMessage', 'document'],
  ['stickerMessage', 'sticker'],
  ['locationMessage', 'location'],
  ['liveLocationMessage', 'location'],
  ['contactMessage', 'contacts'],
  ['contactsArrayMessage', 'contacts'],
  ['pollCreationMessage', 'poll'],
  ['pollCreationMessageV2', 'poll'],
  ['pollCreationMessageV3', 'poll'],
  ['protocolMessage', 'protocol'],
];

export const kindOf = (m: proto.IMessage): MessageKind =>
  KIND_BY_FIELD.find(([field]) => m[field] !== undefined && m[field] !== null)?.[1] ?? 'other';

export const textOf = (m: proto.IMessage): string | undefined =>
  m.conversation ??
  m.extendedTextMessage?.text ??
  m.imageMessage?.caption ??
  m.videoMessage?.caption ??
  m.documentMessage?.caption ??
  m.reactionMessage?.text ??
  undefined;

const MEDIA_FIELDS: [keyof proto.IMessage, MediaKind][] = [
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  ['audioMessage', 'audio'],
  ['documentMessage', 'document'],
  ['stickerMessage', 'sticker'],
];

interface MediaFields {
  url?: string | null;
  directPath?: string | null;
  mimetype?: string | null;
  mediaKey?: Uint8Array | null;
  fileSha256?: Uint8Array | null;
  fileEncSha256?: Uint8Array | null;
  fileLength?: number | { toNumber(): number } | null;
}

/**
 * What the contact's phone does with a media message: fetches the encrypted file from the media host (the
 * simulator's own store, by `directPath` or `url`), checks it and decrypts it with the message's media key.
 */
export const receiveMedia = async (
  ctx: SimContext,
  m: proto.IMessage,
): Promise<{ media: NonNullable<InboxEntry['media']>; bytes?: Buffer } | undefined> => {
  const found = MEDIA_FIELDS.find(([field]) => m[field]);
  if (!found) return undefined;
  const [field, kind] = found;
  const fields = m[field] as MediaFields;
  const fileLength = fields.fileLength == null ? 0 : Number(fields.fileLength);
  const facts = { mimetype: fields.mimetype ?? '', fileLength };
  try {
    if (!fields.mediaKey?.length) throw new Error('no mediaKey');
    const id = mediaIdOf(fields.directPath ?? '') ?? mediaIdOf(fields.url ?? '');
    const file = id ? ctx.world.media.get(id) : undefined;
    if (!file)
      throw new Error(`no file on the media host at ${fields.directPath ?? fields.url ?? '(no url)'}`);
    const bytes = await decryptMedia(file, kind, {
      mediaKey: fields.mediaKey,
      fileEncSha256: fields.fileEncSha256,
      fileSha256: fields.fileSha256,
      fileLength: fields.fileLength == null ? null : fileLength,
    });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { media: { ...facts, sha256 }, bytes };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log('media not received', { error: message });
    return { media: { ...facts, error: message } };
  }
};

const toJson = (m: proto.Message): Record<string, unknown> => m.toJSON() as Record<string, unknown>;

/** One encrypted copy of a message, addressed to one device. */
interface Copy {
  jid: string;
  enc: BinaryNode;
}

const copiesOf = (message: BinaryNode): Copy[] => {
  const participants = childOf(message, 'participants');
  if (participants) {
    return childrenNamed(participants, 'to').flatMap((to) => {
      const enc = childOf(to, 'enc');
      return enc && to.attrs.jid ? [{ jid: to.attrs.jid, enc }] : [];
    });
  }
  const enc = childOf(message, 'enc');
  return enc && message.attrs.to ? [{ jid: message.attrs.to, enc }] : [];
};

/**
 * A companion sends a message: the server acks it (or rejects it with an injected error code), then every copy
 * goes where it is addressed — a contact's phone decrypts it into its inbox, the account's own phone decrypts its
 * copy, sibling companions get it forwarded as a sent-by-me message.
 */
export const onClientMessage = async (
  ctx: SimContext,
  session: Session,
  message: BinaryNode,
): Promise<void> => {
  const { account, device } = requireLoggedIn(session);
  const id = message.attrs.id ?? '';
  const to = message.attrs.to ?? '';
  const error =
    ctx.faults.takeAckError(account.phone) ??
    pnSendRefusal(ctx, message) ??
    reachoutRefusal(ctx, account, message);
  await send(
    session,
    node('ack', {
      class: 'message',
      id,
      from: to,
      t: nowSeconds(),
      ...(error !== undefined ? { error: String(error) } : {}),
    }),
  );
  ctx.events.emit('message-ack', { phone: account.phone, id, ...(error !== undefined ? { error } : {}) });
  if (error !== undefined) return;

  for (const copy of copiesOf(message)) {
    const ciphertext = bufferOf(copy.enc);
    const type = copy.enc.attrs.type ?? '';
    if (!ciphertext) continue;
    const target = ctx.world.resolve(copy.jid);
    const targetDevice = jidDecode(copy.jid)?.device ?? 0;
    if (target && 'contact' in target && targetDevice === 0) {
      if (interceptContactCopy(ctx, target.contact, account, message, copy.enc)) continue;
      let decrypted: proto.Message;
      try {
        decrypted = await target.contact.peer.decrypt(account.phone, device.id, type, ciphertext);
      } catch (error) {
        // A real phone asks for it again (a retry receipt) rather than losing it.
        phoneFailedToDecrypt(ctx, target.contact, account, id, error);
        continue;
      }
      phoneDecrypted(target.contact, id);
      // A phone drops a message whose id it already has from that sender (a resend after a crash reuses the
      // id): decrypted above to keep the Signal session in step, then not shown twice.
      const inbox = target.contact.inbox;
      if (inbox.some((e) => e.id === id && jidDecode(e.from)?.user === account.phone)) {
        ctx.events.emit('message-duplicate', { contact: target.contact.phone, id, from: account.phone });
        continue;
      }
      const text = textOf(decrypted);
      const media = await receiveMedia(ctx, decrypted);
      const entry: InboxEntry = {
        id,
        from: pnJid(account.phone, device.id),
        type: kindOf(decrypted),
        ...(text !== undefined ? { text } : {}),
        content: toJson(decrypted),
        timestamp: Math.floor(Date.now() / 1000),
        status: 'sent',
        ...(media ? { media: media.media } : {}),
      };
      if (media?.bytes) ctx.world.inboxMedia.set(entry, media.bytes);
      // An edit or a revoke changes the message it names, as the contact's phone shows it.
      applyToInbox(ctx, target.contact, account.phone, decrypted);
      target.contact.inbox.push(entry);
      ctx.events.emit('message', { contact: target.contact.phone, entry });
    } else if (target && 'account' in target && target.account === account) {
      if (targetDevice === 0) {
        const decrypted = await account.primary.decrypt(account.phone, device.id, type, ciphertext);
        ctx.events.emit('phone-copy', { phone: account.phone, id, message: decrypted });
      } else {
        forwardToSibling(ctx, account, device, targetDevice, message, copy.enc);
      }
    }
  }
};

const forwardToSibling = (
  ctx: SimContext,
  account: Account,
  sender: LinkedDevice,
  targetDeviceId: number,
  message: BinaryNode,
  enc: BinaryNode,
): void => {
  const sibling = account.devices.get(targetDeviceId);
  if (!sibling || sibling === sender) return;
  pushToDevice(
    ctx,
    account,
    sibling,
    node(
      'message',
      {
        id: message.attrs.id ?? '',
        from: pnJid(account.phone, sender.id),
        recipient: message.attrs.to ?? '',
        type: message.attrs.type ?? 'text',
        t: nowSeconds(),
      },
      [enc],
    ),
  );
};
