/**
 * Media upload and download through the real local gateway: bytes in and out exactly (every byte value, through
 * the gateway's base64 and the envelope), tenant isolation, scopes, the size limit, content-type refusals, and a
 * send naming an uploaded id. The upload limit is set small for this file's cloud so the 413 case is cheap.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../../shared/adapters/aws/clients.js';
import { S3EncryptedBlobStore } from '../../../../shared/adapters/aws/s3-encrypted-blob-store.js';
import { selectDataKeyProvider } from '../../../../shared/adapters/select-data-key-provider.js';
import { newId } from '../../../../shared/domain/ids.js';
import { MEDIA_RETENTION_DAYS, mediaObjectKey } from '../../../../shared/domain/media.js';
import { LOCAL_CREDENTIALS } from '../../../../local/local-aws.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = {
  type: string;
  status: number;
  detail: string;
  errors?: { location: string; field?: string; pointer?: string }[];
};
type MediaView = { id: string; mimeType: string; size: number; expiresAt: string };

const LIMIT = 64 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A PNG-looking buffer holding every byte value (0x00..0xff) twice, in both orders. */
const EVERY_BYTE = Buffer.concat([
  PNG_SIGNATURE,
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)),
]);

let api: ApiHarness;
let tenant: TenantHandle;
let other: TenantHandle;

beforeAll(async () => {
  api = await startApi({ env: { APP_MEDIA_UPLOAD_MAX_BYTES: String(LIMIT) } });
  const limits = { maxSessions: 10, sendsPerMinute: 1000, requestsPerMinute: 10_000 };
  tenant = await api.createTenant(limits);
  other = await api.createTenant(limits);
}, 120_000);
afterAll(async () => {
  await api?.stop();
});

const upload = (bytes: Uint8Array, contentType: string | undefined, key = tenant.key) =>
  api.call<MediaView & Problem>('POST', '/v1/media', {
    key,
    rawBody: bytes,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });

const download = (id: string, key = tenant.key) => api.call<Problem>('GET', `/v1/media/${id}`, { key });

/** Keys of the media objects stored for a tenant. */
async function storedKeys(tenantId: string): Promise<string[]> {
  const out = await api.clients.s3.send(
    new ListObjectsV2Command({ Bucket: api.config.APP_MEDIA_BUCKET, Prefix: `media/${tenantId}/` }),
  );
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

async function keyWith(scopes: string[]): Promise<string> {
  const reply = await api.call<{ key: string }>('POST', '/v1/api-keys', {
    key: tenant.key,
    body: { name: scopes.join('+'), scopes },
  });
  expect(reply.status).toBe(201);
  return reply.body.key;
}

describe('upload and download', () => {
  it('gives back exactly the bytes and content type uploaded (every byte value)', async () => {
    const before = Date.now();
    const up = await upload(EVERY_BYTE, 'image/png');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ mimeType: 'image/png', size: EVERY_BYTE.length });
    expect(up.headers.get('location')).toBe(`/v1/media/${up.body.id}`);
    const expires = Date.parse(up.body.expiresAt);
    const retention = MEDIA_RETENTION_DAYS * 24 * 3600 * 1000;
    expect(expires).toBeGreaterThanOrEqual(before + retention);
    expect(expires).toBeLessThanOrEqual(Date.now() + retention);

    const down = await download(up.body.id);
    expect(down.status).toBe(200);
    expect(down.bytes.equals(EVERY_BYTE)).toBe(true);
    expect(down.headers.get('content-type')).toBe('image/png');
    expect(down.headers.get('content-length')).toBe(String(EVERY_BYTE.length));
    expect(down.headers.get('cache-control')).toBe('private, max-age=300');
    expect(down.headers.get('x-content-type-options')).toBe('nosniff');
    expect(down.headers.get('content-disposition')).toBe('attachment');
  });

  it('stores the object under mediaObjectKey, encrypted (no plaintext in the bucket)', async () => {
    const secret = Buffer.from('a very recognisable plaintext marker 0123456789');
    const up = await upload(secret, 'application/octet-stream');
    expect(up.status).toBe(201);
    const raw = await api.clients.s3.send(
      new GetObjectCommand({
        Bucket: api.config.APP_MEDIA_BUCKET,
        Key: mediaObjectKey(tenant.tenantId, up.body.id),
      }),
    );
    const stored = Buffer.from((await raw.Body?.transformToByteArray()) ?? []);
    expect(stored.length).toBeGreaterThan(secret.length);
    expect(stored.includes(secret)).toBe(false);
  });

  it('keeps the media type without parameters, lower-cased; text arrives as sent', async () => {
    const text = Buffer.from('olá, 👋\n', 'utf8');
    const up = await upload(text, 'Text/Plain; charset=UTF-8');
    expect(up.status).toBe(201);
    expect(up.body.mimeType).toBe('text/plain');
    const down = await download(up.body.id);
    expect(down.bytes.equals(text)).toBe(true);
    expect(down.headers.get('content-type')).toBe('text/plain');
  });

  it('serves HTML as a download, never inline', async () => {
    const up = await upload(Buffer.from('<script>alert(1)</script>'), 'text/html');
    const down = await download(up.body.id);
    expect(down.headers.get('content-type')).toBe('text/html');
    expect(down.headers.get('content-disposition')).toBe('attachment');
    expect(down.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves what a session host stored under the same key (no type: application/octet-stream)', async () => {
    const clients = createAwsClients(api.config, {
      endpoints: { s3: api.cloud.stack.s3, kms: api.cloud.stack.kms },
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const store = S3EncryptedBlobStore.forMedia(
        api.config,
        clients.s3,
        selectDataKeyProvider(api.config, clients.kms),
      );
      const id = newId();
      await store.put(mediaObjectKey(tenant.tenantId, id), EVERY_BYTE);
      const down = await download(id);
      expect(down.status).toBe(200);
      expect(down.bytes.equals(EVERY_BYTE)).toBe(true);
      expect(down.headers.get('content-type')).toBe('application/octet-stream');
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  });

  it('accepts a body of exactly the limit', async () => {
    const up = await upload(Buffer.alloc(LIMIT, 7), 'video/mp4');
    expect(up.status).toBe(201);
    expect(up.body.size).toBe(LIMIT);
  });
});

describe('isolation and ids', () => {
  it("another tenant's media id is a 404, like a missing one", async () => {
    const up = await upload(EVERY_BYTE, 'image/png');
    const theirs = await download(up.body.id, other.key);
    expect(theirs.status).toBe(404);
    expect(theirs.body.type).toMatch(/not-found$/);
    const missing = await download(newId());
    expect(missing.status).toBe(404);
    expect(theirs.body.detail.replace(up.body.id, 'X')).toBe(missing.body.detail.replace(/\w{26}/, 'X'));
  });

  it('a malformed id is a 400 naming the path parameter', async () => {
    const reply = await download('not-a-ulid');
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([expect.objectContaining({ location: 'path', field: 'mediaId' })]);
  });
});

describe('authentication and scopes', () => {
  it('no key is 401 (the gateway), a wrong key 401', async () => {
    expect((await upload(EVERY_BYTE, 'image/png', '')).status).toBe(401);
    expect((await download(newId(), '')).status).toBe(401);
    const bogus = `wak_${'A'.repeat(43)}`;
    expect((await upload(EVERY_BYTE, 'image/png', bogus)).status).toBe(401);
    expect((await download(newId(), bogus)).status).toBe(401);
  });

  it('upload needs messages:send, download messages:read (403 naming the scope)', async () => {
    const readOnly = await keyWith(['messages:read']);
    const sendOnly = await keyWith(['messages:send']);
    const refused = await upload(EVERY_BYTE, 'image/png', readOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('messages:send');
    const up = await upload(EVERY_BYTE, 'image/png', sendOnly);
    expect(up.status).toBe(201);
    const noRead = await download(up.body.id, sendOnly);
    expect(noRead.status).toBe(403);
    expect(noRead.body.detail).toContain('messages:read');
    expect((await download(up.body.id, readOnly)).status).toBe(200);
  });
});

describe('refused uploads store nothing', () => {
  it('a body over the limit is a 413 naming the limit', async () => {
    const fresh = await api.createTenant();
    const reply = await upload(Buffer.alloc(LIMIT + 1, 1), 'image/jpeg', fresh.key);
    expect(reply.status).toBe(413);
    expect(reply.body.type).toMatch(/payload-too-large$/);
    expect(reply.body.detail).toContain(String(LIMIT));
    expect(await storedKeys(fresh.tenantId)).toEqual([]);
  });

  it.each([
    ['application/json', 415],
    ['application/json; charset=utf-8', 415],
    ['application/vnd.api+json', 415],
    ['multipart/form-data; boundary=xyz', 415],
    ['application/x-www-form-urlencoded', 415],
  ])('Content-Type %s is a %i naming the header', async (contentType, status) => {
    const fresh = await api.createTenant();
    const reply = await upload(Buffer.from('{"file":"x"}'), contentType, fresh.key);
    expect(reply.status).toBe(status);
    expect(reply.body.type).toMatch(/unsupported-media-type$/);
    expect(reply.body.detail).toContain('Content-Type');
    expect(await storedKeys(fresh.tenantId)).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['not a media type', 'jpeg'],
    ['a wildcard', 'image/*'],
  ])('a %s Content-Type is a 400 naming the header', async (_what, contentType) => {
    const fresh = await api.createTenant();
    const reply = await upload(EVERY_BYTE, contentType, fresh.key);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ location: 'header', field: 'Content-Type' }),
    ]);
    expect(await storedKeys(fresh.tenantId)).toEqual([]);
  });

  it('an empty body is a 400', async () => {
    const fresh = await api.createTenant();
    const reply = await upload(new Uint8Array(0), 'image/png', fresh.key);
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toMatch(/empty/);
    expect(await storedKeys(fresh.tenantId)).toEqual([]);
  });
});

describe('sending an uploaded file', () => {
  it('a send naming the uploaded mediaId is accepted and stored with it', async () => {
    const up = await upload(EVERY_BYTE, 'image/png');
    const session = await api.call<{ id: string }>('POST', '/v1/sessions', { key: tenant.key, body: {} });
    expect(session.status).toBe(201);
    const sent = await api.call<{ id: string; status: string }>(
      'POST',
      `/v1/sessions/${session.body.id}/messages`,
      {
        key: tenant.key,
        body: { to: '+15557654321', type: 'image', image: { mediaId: up.body.id, caption: 'every byte' } },
      },
    );
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('queued');
    const stored = await api.repos.messages.get(session.body.id, sent.body.id);
    expect(stored?.content).toMatchObject({ type: 'image', image: { mediaId: up.body.id } });
  });

  it("an unknown mediaId, or another tenant's, is a 400 naming the field, and nothing is queued", async () => {
    const theirs = await api.call<{ id: string }>('POST', '/v1/media', {
      key: other.key,
      rawBody: Buffer.from('their file'),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(theirs.status).toBe(201);
    const session = await api.call<{ id: string }>('POST', '/v1/sessions', { key: tenant.key, body: {} });
    for (const mediaId of ['01J00000000000000000000000', theirs.body.id]) {
      const refused = await api.call<{ errors?: { pointer?: string; message: string }[] }>(
        'POST',
        `/v1/sessions/${session.body.id}/messages`,
        {
          key: tenant.key,
          body: { to: '+15557654321', type: 'document', document: { mediaId, fileName: 'a.pdf' } },
        },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: '/document/mediaId' })]);
    }
    const history = await api.call<{ items: unknown[] }>('GET', `/v1/sessions/${session.body.id}/messages`, {
      key: tenant.key,
    });
    expect(history.body.items).toEqual([]);
  });
});
