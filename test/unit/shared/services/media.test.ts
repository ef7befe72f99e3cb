import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../../shared/domain/errors.js';
import { newId } from '../../../../shared/domain/ids.js';
import { mediaObjectKey } from '../../../../shared/domain/media.js';
import type { BlobStore, PutBlobOptions, StoredBlob } from '../../../../shared/ports/blob-store.js';
import { MEDIA_DOWNLOAD_MAX_BYTES, downloadMedia, uploadMedia } from '../../../../shared/services/media.js';

/** A BlobStore in memory, keeping the content type like the S3 one. */
function memoryStore(): BlobStore & { readonly objects: Map<string, StoredBlob> } {
  const objects = new Map<string, StoredBlob>();
  let version = 0;
  return {
    objects,
    put: async (key: string, bytes: Uint8Array, options: PutBlobOptions = {}) => {
      const stored = {
        bytes: Buffer.from(bytes),
        version: String(++version),
        ...(options.contentType ? { contentType: options.contentType } : {}),
      };
      objects.set(key, stored);
      return { version: stored.version };
    },
    get: async (key: string) => objects.get(key) ?? null,
    exists: async (key: string) => objects.has(key),
    delete: async (key: string) => {
      objects.delete(key);
    },
  };
}

const NOW = Date.parse('2026-11-25T10:00:00.000Z');
const tenantId = newId();

describe('media use cases', () => {
  it('upload stores under the tenant key with the content type and answers the view', async () => {
    const media = memoryStore();
    const view = await uploadMedia(
      { media, now: () => NOW },
      {
        tenantId,
        bytes: Buffer.from([1, 2, 3]),
        mimeType: 'image/png',
      },
    );
    expect(view).toEqual({
      id: expect.any(String),
      mimeType: 'image/png',
      size: 3,
      expiresAt: '2026-12-25T10:00:00.000Z',
    });
    expect(media.objects.get(mediaObjectKey(tenantId, view.id))).toMatchObject({ contentType: 'image/png' });
  });

  it("download finds only the tenant's own objects", async () => {
    const media = memoryStore();
    const deps = { media, now: () => NOW };
    const view = await uploadMedia(deps, { tenantId, bytes: Buffer.from('x'), mimeType: 'text/plain' });
    expect(await downloadMedia(deps, tenantId, view.id)).toEqual({
      bytes: Buffer.from('x'),
      contentType: 'text/plain',
    });
    await expect(downloadMedia(deps, newId(), view.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(downloadMedia(deps, tenantId, newId())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an object without a content type downloads as application/octet-stream', async () => {
    const media = memoryStore();
    const id = newId();
    await media.put(mediaObjectKey(tenantId, id), Buffer.from('raw'));
    const out = await downloadMedia({ media, now: () => NOW }, tenantId, id);
    expect(out.contentType).toBe('application/octet-stream');
  });

  it('an object too large for one Lambda response is a 409 saying it can still be sent', async () => {
    const media = memoryStore();
    const id = newId();
    await media.put(mediaObjectKey(tenantId, id), Buffer.alloc(MEDIA_DOWNLOAD_MAX_BYTES + 1));
    const failure = downloadMedia({ media, now: () => NOW }, tenantId, id);
    await expect(failure).rejects.toBeInstanceOf(ConflictError);
    await expect(failure).rejects.toThrow(/sent by mediaId/);
  });
});
