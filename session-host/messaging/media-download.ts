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
 * The download is Baileys' `downloadMediaMessage` (decryption with the message's media key), bounded by
 * `mediaDownloadTimeoutMs`; the plain bytes must hash to the message's `fileSha256`. When WhatsApp's CDN says the
 * file is gone (404/410), the phone is asked to upload it again (`compat/media-retry.ts`, bounded by
 * `mediaReuploadTimeoutMs`) and the new file is downloaded; if that fails the stored content says why
 * (`mediaError`: `media_expired` or `media_unavailable`). The object is written under `mediaObjectKey(tenantId, mediaId)` with the message's
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
import type { MediaError, MessageContent } from '../../shared/domain/message.js';
import { isGoneFromCdn, MediaRetryError, requestMediaReupload } from '../compat/media-retry.js';
import type { AttachedSession, MessagingDeps } from './deps.js';

/** Counters (docs/messaging.md): files stored, files not downloaded for their size, downloads that failed. */
export const MEDIA_METRIC = {
  downloaded: 'MediaDownloads',
  tooLarge: 'MediaDownloadsSkipped',
  failed: 'MediaDownloadFailures',
  /** Files the CDN no longer had, for which the phone was asked to upload them again. */
  reuploadRequested: 'MediaReuploadRequests',
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
    readonly code: 'too_large' | 'unsafe_url' | 'no_url' | 'corrupt' | 'timeout',
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
  const stored = await storeInboundMedia(deps, session, m, media);
  if (stored === undefined) return content;
  switch (media.type) {
    case 'image':
      return { ...media, image: { ...media.image, ...stored } };
    case 'video':
      return { ...media, video: { ...media.video, ...stored } };
    case 'audio':
      return { ...media, audio: { ...media.audio, ...stored } };
    case 'document':
      return { ...media, document: { ...media.document, ...stored } };
    case 'sticker':
      return { ...media, sticker: { ...media.sticker, ...stored } };
  }
}

/** What the stored content gets: the file's `mediaId`, or why an expired file could not be had again. */
type StoredMedia = { mediaId: string } | { mediaError: MediaError };

async function storeInboundMedia(
  deps: MessagingDeps,
  session: AttachedSession,
  m: WAMessage,
  content: MediaContent,
): Promise<StoredMedia | undefined> {
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
    const bytes = await downloadOrReupload(deps, session, m, content, fields);
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
    return { mediaId };
  } catch (error) {
    if (error instanceof MediaDownloadError && error.code === 'too_large') {
      log.info('incoming media over the size limit, download stopped', {
        ...fields,
        limit: config.mediaMaxBytes,
      });
      metrics?.count(MEDIA_METRIC.tooLarge);
      return undefined;
    }
    const reason =
      error instanceof MediaDownloadError || error instanceof MediaRetryError ? error.code : undefined;
    log.warn('incoming media not stored; the message is stored without it', {
      ...fields,
      ...(reason ? { reason } : {}),
      error: describe(error),
    });
    metrics?.count(MEDIA_METRIC.failed);
    return error instanceof MediaRetryError ? { mediaError: error.code } : undefined;
  }
}

/**
 * The download; when the CDN no longer has the file, the phone's re-upload and a download of the new file (a
 * second 404/410 means the phone's copy is gone too: `media_expired`).
 */
async function downloadOrReupload(
  deps: MessagingDeps,
  session: AttachedSession,
  m: WAMessage,
  content: MediaContent,
  fields: Record<string, unknown>,
): Promise<Buffer> {
  const { config } = deps;
  try {
    return await download(m, config.mediaMaxBytes, config.mediaDownloadTimeoutMs);
  } catch (error) {
    if (!isGoneFromCdn(error)) throw error;
    deps.log.info('incoming media gone from the CDN; asking the phone to upload it again', fields);
    deps.metrics?.count(MEDIA_METRIC.reuploadRequested);
  }
  const fresh = await requestMediaReupload(session.socket, m, config.mediaReuploadTimeoutMs);
  const file = extractMessageContent(fresh.message)?.[FIELD_OF[content.type]];
  if (file) checkAddress(file, config.allowLoopback);
  try {
    return await download(fresh, config.mediaMaxBytes, config.mediaDownloadTimeoutMs);
  } catch (error) {
    if (!isGoneFromCdn(error)) throw error;
    throw new MediaRetryError('media_expired', 'the re-uploaded file is gone as well', { cause: error });
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
async function download(m: WAMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  let stream: Transform | undefined;
  let timedOut = false;
  const work = (async () => {
    // No re-upload context: rc14's own re-upload branch never runs (downloadOrReupload does it instead).
    const s = await downloadMediaMessage(m, 'stream', {});
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
