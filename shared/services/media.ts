/**
 * Media objects through the API (docs/api.md, "Media"): a tenant uploads a file to send it by `mediaId`, and
 * downloads what it uploaded or what a session host stored from an incoming message. Objects live in the media
 * bucket under `mediaObjectKey(tenantId, mediaId)`, envelope-encrypted, and expire with the bucket's lifecycle
 * rule. The key includes the tenant, so a lookup under the caller's tenant never reaches another tenant's object.
 */
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { newId, nowIso } from '../domain/ids.js';
import { MEDIA_RETENTION_DAYS, mediaObjectKey, type MediaView } from '../domain/media.js';
import type { ControlPlaneDeps } from './deps.js';

type Deps = Pick<ControlPlaneDeps, 'media' | 'now'>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Largest object a download answers with. The bytes leave the function base64-encoded (4/3) and a Lambda
 * response is at most 6 MB, so about 4.7 MB of plain bytes fit; uploads are capped below this
 * (`APP_MEDIA_UPLOAD_MAX_BYTES`), incoming media may not be.
 */
export const MEDIA_DOWNLOAD_MAX_BYTES = 4_600_000;

/** What the media type of a stored object is when its writer gave none. */
export const FALLBACK_MEDIA_TYPE = 'application/octet-stream';

export interface UploadMediaInput {
  readonly tenantId: string;
  readonly bytes: Uint8Array;
  /** Already validated (`MediaMimeTypeSchema`). */
  readonly mimeType: string;
}

export async function uploadMedia(deps: Deps, input: UploadMediaInput): Promise<MediaView> {
  const now = deps.now();
  const id = newId(now);
  await deps.media.put(mediaObjectKey(input.tenantId, id), input.bytes, { contentType: input.mimeType });
  return {
    id,
    mimeType: input.mimeType,
    size: input.bytes.byteLength,
    // The lifecycle rule deletes at or after this (S3 rounds expirations up to the next midnight UTC).
    expiresAt: nowIso(new Date(now + MEDIA_RETENTION_DAYS * DAY_MS)),
  };
}

export interface DownloadedMedia {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** 404 for a missing, expired or another tenant's id (the same answer, so ids of other tenants reveal nothing). */
export async function downloadMedia(deps: Deps, tenantId: string, mediaId: string): Promise<DownloadedMedia> {
  const stored = await deps.media.get(mediaObjectKey(tenantId, mediaId));
  if (!stored) throw new NotFoundError(`No media ${mediaId}`);
  if (stored.bytes.byteLength > MEDIA_DOWNLOAD_MAX_BYTES) {
    throw new ConflictError(
      `Media ${mediaId} is ${stored.bytes.byteLength} bytes; downloads through this API are limited to ` +
        `${MEDIA_DOWNLOAD_MAX_BYTES} bytes. It can still be sent by mediaId.`,
    );
  }
  return { bytes: stored.bytes, contentType: stored.contentType ?? FALLBACK_MEDIA_TYPE };
}
