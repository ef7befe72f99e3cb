/**
 * The file of an incoming media message (image, video, audio, document, sticker), downloaded into the media
 * bucket before the message is stored, so the stored message and `message.received` carry its `mediaId`
 * (docs/messaging.md, "Receiving").
 *
 * Losing the message is worse than losing its attachment: every failure here is logged and counted, and the
 * message is stored without a `mediaId`. What is refused without a download:
 *
 * - a file whose declared `fileLength` is over `mediaMaxBytes` (a download that runs past it is cut off too);
 * - a download address outside WhatsApp's media hosts (`https://*.whatsapp.net`; loopback too in local mode,
 *   where the simulator serves media). The address comes from the sender's message, and Baileys fetches it
 *   as given, so without this check any contact could make the host request an internal address.
 *
 * The download is Baileys' `downloadMediaMessage` (decryption with the message's media key; a re-upload request
 * when WhatsApp says the file is gone), bounded by `mediaDownloadTimeoutMs`; the plain bytes must hash to the
 * message's `fileSha256`. The object is written under `mediaObjectKey(tenantId, mediaId)` with the message's
 * MIME type, and the `mediaId` is derived from the session and the WhatsApp id: a message redelivered before
 * it was stored (a crash between the upload and the message write) overwrites the same object instead of
 * leaving an orphan beside it.
 */
import { createHash } from 'node:crypto';
import type { Transform } from 'node:stream';
import { downloadMediaMessage, extractMessageContent, toNumber } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import { encodeTime } from 'ulid';
import { mediaObjectKey } from '../../shared/domain/media.js';
import type { MessageContent } from '../../shared/domain/message.js';
import type { AttachedSession, MessagingDeps } from './deps.js';

/** Counters (docs/messaging.md): files stored, files not downloaded for their size, downloads that failed. */
export const MEDIA_METRIC = {
  downloaded: 'MediaDownloads',
  tooLarge: 'MediaDownloadsSkipped',
  failed: 'MediaDownloadFailures',
} as const;

type MediaField = 'imageMessage' | 'videoMessage' | 'audioMessage' | 'documentMessage' | 'stickerMessage';
const FIELD_OF = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
} as const satisfies Record<string, MediaField>;

type MediaContent = Extract<MessageContent, { type: keyof typeof FIELD_OF }>;

/** Where Baileys' `downloadContentFromMessage` fetches from when the message names no host of its own. */
const DEFAULT_MEDIA_HOST = 'mmg.whatsapp.net';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

class MediaDownloadError extends Error {
  constructor(
    readonly reason: 'too_large' | 'unsafe_url' | 'no_url' | 'corrupt' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A ULID for the file of WhatsApp message `waMessageId` of the session: the time part is the message's
 * timestamp, the rest a hash of the two ids, so the same message always names the same object.
 */
export function inboundMediaId(sessionId: string, waMessageId: string, timestampMs: number): string {
  const digest = createHash('sha256')
    .update(`wa-platform/inbound-media/${sessionId}/${waMessageId}`)
    .digest();
  let bits = BigInt(`0x${digest.subarray(0, 10).toString('hex')}`);
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(bits & 31n)]! + random;
    bits >>= 5n;
  }
  return encodeTime(timestampMs, 10) + random;
}

/** Whether `content` is a type whose file is downloaded (image, video, audio, document, sticker). */
export function isInboundMedia(content: MessageContent): content is MediaContent {
  return Object.hasOwn(FIELD_OF, content.type);
}

/**
 * `content` with the `mediaId` of its file, once stored in the media bucket; `content` unchanged when it is not
 * media or the file was not stored (too large, refused, failed: logged and counted, never thrown).
 */
export async function withInboundMedia(
  deps: MessagingDeps,
  session: AttachedSession,
  m: WAMessage,
  content: MessageContent,
): Promise<MessageContent> {
  if (!isInboundMedia(content)) return content;
  const media = content;
  const mediaId = await storeInboundMedia(deps, session, m, media);
  if (mediaId === undefined) return content;
  switch (media.type) {
    case 'image':
      return { ...media, image: { ...media.image, mediaId } };
    case 'video':
      return { ...media, video: { ...media.video, mediaId } };
    case 'audio':
      return { ...media, audio: { ...media.audio, mediaId } };
    case 'document':
      return { ...media, document: { ...media.document, mediaId } };
    case 'sticker':
      return { ...media, sticker: { ...media.sticker, mediaId } };
  }
}

async function storeInboundMedia(
  deps: MessagingDeps,
  session: AttachedSession,
  m: WAMessage,
  content: MediaContent,
): Promise<string | undefined> {
  const { config, log, metrics } = deps;
  const waMessageId = m.key.id ?? '';
  const fields = { sessionId: session.sessionId, waMessageId, type: content.type };
  const file = extractMessageContent(m.message)?.[FIELD_OF[content.type]];
  if (!file) return undefined;
  const declared = file.fileLength === null || file.fileLength === undefined ? 0 : toNumber(file.fileLength);
  if (declared > config.mediaMaxBytes) {
    log.info('incoming media over the size limit, not downloaded', {
      ...fields,
      size: declared,
      limit: config.mediaMaxBytes,
    });
    metrics?.count(MEDIA_METRIC.tooLarge);
    return undefined;
  }
  try {
    checkAddress(file, config.allowLoopback);
    const bytes = await download(session, m, config.mediaMaxBytes, config.mediaDownloadTimeoutMs);
    if (file.fileSha256?.length && !createHash('sha256').update(bytes).digest().equals(file.fileSha256)) {
      throw new MediaDownloadError('corrupt', 'the downloaded file does not match its fileSha256');
    }
    const seconds = toNumber(m.messageTimestamp ?? 0);
    const mediaId = inboundMediaId(session.sessionId, waMessageId, seconds > 0 ? seconds * 1000 : Date.now());
    const mimeType = mimeTypeOf(content);
    await deps.media.put(
      mediaObjectKey(session.tenantId, mediaId),
      bytes,
      mimeType ? { contentType: mimeType } : {},
    );
    metrics?.count(MEDIA_METRIC.downloaded);
    return mediaId;
  } catch (error) {
    if (error instanceof MediaDownloadError && error.reason === 'too_large') {
      log.info('incoming media over the size limit, download stopped', {
        ...fields,
        limit: config.mediaMaxBytes,
      });
      metrics?.count(MEDIA_METRIC.tooLarge);
      return undefined;
    }
    log.warn('incoming media not stored; the message is stored without it', {
      ...fields,
      ...(error instanceof MediaDownloadError ? { reason: error.reason } : {}),
      error: describe(error),
    });
    metrics?.count(MEDIA_METRIC.failed);
    return undefined;
  }
}

function mimeTypeOf(content: MediaContent): string | undefined {
  switch (content.type) {
    case 'image':
      return content.image.mimeType;
    case 'video':
      return content.video.mimeType;
    case 'audio':
      return content.audio.mimeType;
    case 'document':
      return content.document.mimeType;
    case 'sticker':
      return content.sticker.mimeType;
  }
}

/** The address Baileys will fetch (its own rule: `directPath` on the `url`'s host, else `url`) must be WhatsApp's. */
function checkAddress(
  file: { url?: string | null; directPath?: string | null },
  allowLoopback: boolean,
): void {
  const host = parseUrl(file.url)?.host;
  const address = file.directPath ? `https://${host ?? DEFAULT_MEDIA_HOST}${file.directPath}` : file.url;
  if (!address) throw new MediaDownloadError('no_url', 'the message names no media address');
  const url = parseUrl(address);
  const name = url?.hostname.toLowerCase() ?? '';
  const whatsApp = url?.protocol === 'https:' && (name === 'whatsapp.net' || name.endsWith('.whatsapp.net'));
  const loopback =
    allowLoopback &&
    (url?.protocol === 'http:' || url?.protocol === 'https:') &&
    (name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name));
  if (!whatsApp && !loopback) {
    throw new MediaDownloadError(
      'unsafe_url',
      `media address on ${name || 'no host'} is not a WhatsApp media host`,
    );
  }
}

function parseUrl(raw: string | null | undefined): URL | undefined {
  if (!raw) return undefined;
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/**
 * Baileys' download as a stream, read up to `maxBytes` plain bytes; given up after `timeoutMs` (the stream is
 * destroyed, then or as soon as it arrives).
 */
async function download(
  session: AttachedSession,
  m: WAMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<Buffer> {
  const { socket } = session;
  let stream: Transform | undefined;
  let timedOut = false;
  const work = (async () => {
    const s = await downloadMediaMessage(
      m,
      'stream',
      {},
      { logger: socket.logger, reuploadRequest: socket.updateMediaMessage },
    );
    stream = s;
    if (timedOut) s.destroy();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of s) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        s.destroy();
        throw new MediaDownloadError('too_large', `the file is larger than ${maxBytes} bytes`);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks);
  })();
  work.catch(() => undefined); // after a timeout nobody awaits it any more
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      stream?.destroy();
      reject(new MediaDownloadError('timeout', `no complete download within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error without the media URL (Baileys' HTTP errors name it; it may carry a signed token). */
function describe(error: unknown): string {
  const boom = error as { output?: { statusCode?: unknown }; data?: { url?: unknown } } | null;
  if (boom?.data?.url !== undefined) return `media host answered ${String(boom.output?.statusCode)}`;
  return error instanceof Error ? error.message : String(error);
}
