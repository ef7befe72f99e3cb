/**
 * Expired media, on top of Baileys rc14 (docs/whatsapp-compatibility.md, "media re-upload"). WhatsApp's CDN
 * answers 404/410 for files older than about 2.5-3 weeks; the account's phone still has them and uploads them
 * again when a companion asks (`<receipt type="server-error">`, answered by `<notification type="mediaretry">`).
 * rc14 has the request (`sock.updateMediaMessage`) but never makes it: `downloadMediaMessage` tests
 * `error.status` while its download errors are Booms carrying `output.statusCode`. It also refuses a base64
 * `mediaKey` and waits for the answer with no timeout. This file makes the request itself, bounded.
 *
 * Drop it when Baileys' `downloadMediaMessage` reads `output.statusCode` (Baileys PR #2729 or successor) and
 * `updateMediaMessage` takes a timeout.
 */
import { extractMessageContent, getContentType } from '@whiskeysockets/baileys';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { MediaError } from '../../shared/domain/message.js';

/** Statuses the CDN answers for a file it no longer has (what makes WhatsApp clients ask for a re-upload). */
const GONE = new Set([404, 410]);

/** rc14's re-upload failures (`getStatusCodeForMediaRetry`): 404 NOT_FOUND, 412 DECRYPTION_ERROR, 418 general. */
const NOT_FOUND = 404;

export class MediaRetryError extends Error {
  constructor(
    readonly code: MediaError,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MediaRetryError';
  }
}

const statusOf = (error: unknown): number | undefined => {
  const e = error as { output?: { statusCode?: unknown }; status?: unknown } | null;
  const status = e?.output?.statusCode ?? e?.status;
  return typeof status === 'number' ? status : undefined;
};

/** Whether a download failed because the CDN no longer has the file. */
export const isGoneFromCdn = (error: unknown): boolean => GONE.has(statusOf(error) ?? 0);

/** A media key as Baileys needs it: messages read back from JSON carry it as base64 (rc14 rejects that). */
const mediaKeyBuffer = (key: unknown): Buffer | undefined => {
  if (typeof key === 'string') return Buffer.from(key, 'base64');
  if (key instanceof Uint8Array) return Buffer.from(key);
  return undefined;
};

type Media = { url?: string | null; directPath?: string | null; mediaKey?: unknown };

/**
 * Asks the phone to upload the file of `m` again and returns a copy of `m` that names the new file; `m` is not
 * changed. Throws `MediaRetryError`: `media_expired` when the phone no longer has it (NOT_FOUND, `<error
 * code="2">`) or gives no answer within `timeoutMs` (offline), `media_unavailable` for any other failure
 * (its decryption of the request failed, a general error, a malformed answer).
 */
export async function requestMediaReupload(
  sock: Pick<WASocket, 'updateMediaMessage'>,
  m: WAMessage,
  timeoutMs: number,
): Promise<WAMessage> {
  const copy: WAMessage = { ...m, message: structuredClone(m.message) };
  const content = extractMessageContent(copy.message);
  const type = content ? getContentType(content) : undefined;
  const media = (type ? content?.[type] : undefined) as Media | undefined;
  const mediaKey = mediaKeyBuffer(media?.mediaKey);
  if (!media || !mediaKey) throw new MediaRetryError('media_unavailable', 'the message carries no media key');
  media.mediaKey = mediaKey;
  const originalUrl = media.url ?? undefined;

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new MediaRetryError('media_expired', `the phone did not re-upload within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const request = sock.updateMediaMessage(copy);
  request.catch(() => undefined); // after a timeout nobody awaits it; rc14 itself never gives up
  try {
    await Promise.race([request, deadline]);
  } catch (error) {
    if (error instanceof MediaRetryError) throw error;
    const status = statusOf(error);
    throw new MediaRetryError(
      status === NOT_FOUND ? 'media_expired' : 'media_unavailable',
      `the phone did not re-upload the file (${status ?? 'no status'})`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  if (!media.directPath) throw new MediaRetryError('media_unavailable', 'the re-upload named no directPath');
  // rc14 puts the new path on the socket's media_conn host (`mmg.whatsapp.net` until one was fetched); the file
  // is served where the original was, so keep the original's origin and fetch that address as it is.
  const origin = originOf(originalUrl);
  if (origin) {
    media.url = `${origin}${media.directPath}`;
    media.directPath = null;
  }
  return copy;
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
