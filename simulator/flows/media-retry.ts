/**
 * Media re-upload (today's server): the CDN stops serving a file after some weeks (410), and a companion that
 * still wants it sends its own phone a `<receipt type="server-error">` naming the message. The phone, which kept
 * the file, uploads it again and answers with `<notification type="mediaretry">` carrying the new `directPath`,
 * encrypted with a key derived from the message's media key (rc14's `encryptMediaRetryRequest` /
 * `decryptMediaRetryData` in `Utils/messages-media.js` are the other half). A phone that no longer has the file
 * answers `<error code="2"/>`; a phone that is offline does not answer at all.
 */
import { randomBytes } from 'node:crypto';
import { aesDecryptGCM, aesEncryptGCM, hkdf, proto } from '@whiskeysockets/baileys';
import { z } from 'zod';
import { childBuffer, childOf, node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { pushToDevice, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';

/** How an account's phone answers re-upload requests (control API `POST /accounts/{phone}/media-retry`). */
export const mediaRetryReplySchema = z.discriminatedUnion('reply', [
  /** It uploads the file again and sends the new `directPath` (the default). */
  z.object({ reply: z.literal('reupload') }).strict(),
  /** It is offline: no answer ever comes. */
  z.object({ reply: z.literal('none') }).strict(),
  /** `<error code>` instead of `<encrypt>` (2 = NOT_FOUND, 3 = DECRYPTION_ERROR, 0 = GENERAL_ERROR). */
  z.object({ reply: z.literal('error'), code: z.number().int().min(0).max(99).default(2) }).strict(),
]);
export type MediaRetryReply = z.output<typeof mediaRetryReplySchema>;
export type MediaRetryReplyInput = z.input<typeof mediaRetryReplySchema>;

/** What the account's phone keeps of a media message it received: enough to upload the file again. */
export interface PhoneMediaCopy {
  readonly account: string;
  readonly mediaKey: Buffer;
  /** Store id of the encrypted file (the bytes stay in the store after the CDN expired them). */
  readonly mediaId: string;
}

/** Default age after which the CDN answers 410: WhatsApp's files go after about 2.5-3 weeks. */
export const DEFAULT_MEDIA_MAX_AGE_MS = 18 * 24 * 3600_000;

/** Per simulator: the CDN's file lifetime, the phones' copies by message id, how each account's phone answers. */
export class MediaRetryState {
  maxAgeMs = DEFAULT_MEDIA_MAX_AGE_MS;
  readonly copies = new Map<string, PhoneMediaCopy>();
  readonly replies = new Map<string, MediaRetryReply>();
}

const RETRY_INFO = 'WhatsApp Media Retry Notification';
const retryKey = (mediaKey: Buffer): Buffer => Buffer.from(hkdf(mediaKey, 32, { info: RETRY_INFO }));

/** Whether the CDN refuses store id `id` (410): never under the `no-media-expiry` legacy switch. */
export const isMediaExpired = (ctx: SimContext, id: string): boolean =>
  !ctx.legacy.has('no-media-expiry') && ctx.world.media.isExpired(id, ctx.mediaRetry.maxAgeMs);

/** The companion's `<receipt type="server-error">`: acked, then answered by the phone as configured. */
export const onMediaRetryRequest = async (
  ctx: SimContext,
  session: Session,
  receipt: BinaryNode,
): Promise<void> => {
  const state = ctx.mediaRetry;
  const { account, device } = requireLoggedIn(session);
  const id = receipt.attrs.id ?? '';
  await send(session, node('ack', { class: 'receipt', id, from: account.phone, type: 'server-error' }));
  const rmr = childOf(receipt, 'rmr');
  const reply = state.replies.get(account.phone) ?? { reply: 'reupload' };
  ctx.events.emit('media-retry', { phone: account.phone, messageId: id, reply: reply.reply });
  if (reply.reply === 'none') {
    ctx.log('media retry request left unanswered (phone offline)', { phone: account.phone, id });
    return;
  }
  const answer = (content: BinaryNode[]): void =>
    pushToDevice(
      ctx,
      account,
      device,
      node('notification', { from: S_WHATSAPP_NET, type: 'mediaretry', id, t: nowSeconds() }, [
        node('rmr', { ...(rmr?.attrs ?? {}) }),
        ...content,
      ]),
    );
  const copy = state.copies.get(id);
  if (reply.reply === 'error' || !copy || copy.account !== account.phone) {
    answer([node('error', { code: String(reply.reply === 'error' ? reply.code : 2) })]);
    return;
  }
  const key = retryKey(copy.mediaKey);
  const file = ctx.world.media.get(copy.mediaId);
  const { ResultType } = proto.MediaRetryNotification;
  const result = !readsRequest(receipt, key, id)
    ? ResultType.DECRYPTION_ERROR
    : file === undefined
      ? ResultType.NOT_FOUND
      : ResultType.SUCCESS;
  // The same encrypted bytes under a fresh id: the message's media key and hashes stay valid.
  const directPath =
    result === ResultType.SUCCESS && file ? `/media/${ctx.world.media.add(file)}` : undefined;
  const plain = proto.MediaRetryNotification.encode({
    stanzaId: id,
    result,
    ...(directPath ? { directPath } : {}),
  }).finish();
  const iv = randomBytes(12);
  answer([
    node('encrypt', {}, [
      node('enc_p', {}, aesEncryptGCM(plain, key, iv, Buffer.from(id))),
      node('enc_iv', {}, iv),
    ]),
  ]);
};

/** Whether the request's `enc_p` decrypts (AES-GCM, AAD = message id) to a ServerErrorReceipt for `id`. */
const readsRequest = (receipt: BinaryNode, key: Buffer, id: string): boolean => {
  const encrypt = childOf(receipt, 'encrypt');
  const ciphertext = childBuffer(encrypt, 'enc_p');
  const iv = childBuffer(encrypt, 'enc_iv');
  // rc14 itself notes the phone re-uploads "even without this node"; only a wrong one is refused.
  if (!encrypt) return true;
  if (!ciphertext || !iv) return false;
  try {
    const plain = aesDecryptGCM(ciphertext, key, iv, Buffer.from(id));
    return proto.ServerErrorReceipt.decode(plain).stanzaId === id;
  } catch {
    return false;
  }
};
