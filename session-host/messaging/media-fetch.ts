/**
 * The bytes of a media message to send: an object the tenant uploaded (media bucket) or a URL it gave. URLs are
 * fetched through the SSRF guard (`fetchPublic`): only public addresses (loopback in local mode), the vetted
 * address pinned, no redirects, the body capped at the size limit, a timeout. Every refusal is a `SendFailure`
 * naming the reason, so the message ends `failed` with something the tenant can act on.
 */
import { mediaObjectKey } from '../../shared/domain/media.js';
import type { BlobStore } from '../../shared/ports/blob-store.js';
import { fetchPublic, ResponseTooLargeError, UnsafeUrlError } from '../../shared/net/public-url.js';
import type { MessagingConfig } from './config.js';
import { SendFailure } from './send-failure.js';

export interface MediaSource {
  readonly mediaId?: string | undefined;
  readonly url?: string | undefined;
}

export interface LoadedMedia {
  readonly bytes: Buffer;
  /** The server's `content-type` for a URL, when it sent a usable one. */
  readonly mimeType?: string;
}

export type MediaConfig = Pick<
  MessagingConfig,
  'mediaMaxBytes' | 'mediaFetchTimeoutMs' | 'allowHttp' | 'allowLoopback'
>;

const MIME_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

export async function loadMedia(
  source: MediaSource,
  ctx: { readonly tenantId: string; readonly media: BlobStore; readonly config: MediaConfig },
): Promise<LoadedMedia> {
  const limit = ctx.config.mediaMaxBytes;
  if (source.mediaId !== undefined) {
    let stored;
    try {
      stored = await ctx.media.get(mediaObjectKey(ctx.tenantId, source.mediaId));
    } catch (error) {
      throw new SendFailure('media_unavailable', 'the uploaded media could not be read', true, {
        cause: error,
      });
    }
    if (!stored) throw new SendFailure('media_not_found', `no uploaded media ${source.mediaId}`);
    if (stored.bytes.length > limit) {
      throw new SendFailure('media_too_large', `media is larger than ${limit} bytes`);
    }
    return { bytes: stored.bytes, ...(stored.contentType ? { mimeType: stored.contentType } : {}) };
  }
  if (source.url !== undefined) return fetchMediaUrl(source.url, ctx.config);
  throw new SendFailure('media_not_found', 'the message names no media (mediaId or url)');
}

async function fetchMediaUrl(url: string, config: MediaConfig): Promise<LoadedMedia> {
  let response;
  try {
    response = await fetchPublic(url, {
      maxBytes: config.mediaMaxBytes,
      timeoutMs: config.mediaFetchTimeoutMs,
      allowHttp: config.allowHttp,
      allowLoopback: config.allowLoopback,
    });
  } catch (error) {
    if (error instanceof UnsafeUrlError) {
      throw new SendFailure('unsafe_url', `media url refused: ${error.reason}`, false, { cause: error });
    }
    if (error instanceof ResponseTooLargeError) {
      throw new SendFailure('media_too_large', `media is larger than ${error.maxBytes} bytes`, false, {
        cause: error,
      });
    }
    // Connection refused, reset, timeout: the server may come back.
    throw new SendFailure('media_unavailable', 'media url could not be fetched', true, { cause: error });
  }
  if (response.status < 200 || response.status > 299) {
    const redirect = response.status >= 300 && response.status < 400;
    throw new SendFailure(
      'media_unavailable',
      redirect
        ? `media url answered a redirect (${response.status}); redirects are not followed`
        : `media url answered ${response.status}`,
      response.status >= 500,
    );
  }
  const type = response.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return { bytes: response.body, ...(type && MIME_TYPE.test(type) ? { mimeType: type } : {}) };
}
