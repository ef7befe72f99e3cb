import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../local/local-aws.js';
import { S3EncryptedBlobStore } from '../../../../shared/adapters/aws/s3-encrypted-blob-store.js';
import { LocalDataKeyProvider } from '../../../../shared/adapters/local/local-data-key-provider.js';
import { DecryptionError, EnvelopeCipher } from '../../../../shared/crypto/envelope.js';
import { BlobVersionConflictError } from '../../../../shared/ports/blob-store.js';
import { startAwsEmulators, type AwsEmulators } from '../../../support/aws-emulators.js';

let aws: AwsEmulators;
let provider: LocalDataKeyProvider;
let store: S3EncryptedBlobStore;
let bucket: string;

beforeAll(async () => {
  aws = await startAwsEmulators();
  bucket = aws.config.APP_CREDENTIALS_BUCKET;
  provider = LocalDataKeyProvider.fromBase64(aws.config.APP_LOCAL_MASTER_KEY);
  store = S3EncryptedBlobStore.forCredentials(aws.config, aws.clients.s3, provider);
});

afterAll(async () => {
  await aws?.stop();
});

const secret = 'noiseKey:Zm9vYmFyLXNlY3JldC1rZXktbWF0ZXJpYWw=';
const key = (name: string) => `sessions/${name}-${randomBytes(3).toString('hex')}/auth`;

async function rawObject(objectKey: string): Promise<Buffer> {
  const out = await aws.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function putRaw(objectKey: string, body: Buffer): Promise<void> {
  await aws.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: body }));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('S3EncryptedBlobStore on fauxqs', () => {
  it('round-trips bytes and reports the version it wrote', async () => {
    const k = key('roundtrip');
    const { version } = await store.put(k, Buffer.from(secret), { ifAbsent: true });
    const read = await store.get(k);
    expect(read?.bytes.toString()).toBe(secret);
    expect(read?.version).toBe(version);
    expect(await store.get(key('missing'))).toBeNull();
    expect(read?.contentType).toBeUndefined();
    expect(await store.exists(k)).toBe(true);
    expect(await store.exists(key('missing'))).toBe(false);
  });

  it("keeps the plain bytes' content type beside the envelope", async () => {
    const k = key('typed');
    await store.put(k, Buffer.from('png bytes'), { contentType: 'image/png' });
    const read = await store.get(k);
    expect(read?.contentType).toBe('image/png');
    expect(read?.bytes.toString()).toBe('png bytes');
  });

  it('stores ciphertext only: the raw object has no plaintext and does not open without the key', async () => {
    const k = key('raw');
    await store.put(k, Buffer.from(secret));
    const raw = await rawObject(k);
    expect(raw.subarray(0, 4).toString('ascii')).toBe('WAEV');
    expect(raw.includes(Buffer.from(secret))).toBe(false);
    expect(raw.includes(Buffer.from('noiseKey'))).toBe(false);
    const stranger = new S3EncryptedBlobStore({
      s3: aws.clients.s3,
      bucket,
      cipher: new EnvelopeCipher(new LocalDataKeyProvider(randomBytes(32))),
      versionCheck: 'check-then-write',
    });
    expect(await failure(stranger.get(k))).toBeInstanceOf(DecryptionError);
  });

  it('rejects a tampered raw object with DecryptionError', async () => {
    const k = key('tampered');
    await store.put(k, Buffer.from(secret));
    const raw = await rawObject(k);
    raw[raw.length - 30]! ^= 0x40;
    await putRaw(k, raw);
    const error = await failure(store.get(k));
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe('authentication-failed');
    expect((error as Error).message).not.toContain(secret);
  });

  it('rejects an object copied under another key, and junk that is not an envelope', async () => {
    const from = key('original');
    const to = key('copy');
    await store.put(from, Buffer.from(secret));
    await putRaw(to, await rawObject(from));
    expect(await failure(store.get(to))).toBeInstanceOf(DecryptionError);
    const junk = key('junk');
    await putRaw(junk, Buffer.from('{"creds":"plain"}'));
    expect(await failure(store.get(junk))).toMatchObject({
      name: 'DecryptionError',
      reason: 'unknown-format',
    });
  });

  it('refuses a stale overwrite and keeps the newer state', async () => {
    const k = key('stale');
    const v1 = await store.put(k, Buffer.from('state 1'), { ifAbsent: true });
    const v2 = await store.put(k, Buffer.from('state 2'), { ifVersion: v1.version });
    expect(v2.version).not.toBe(v1.version);

    const stale = await failure(store.put(k, Buffer.from('stale state'), { ifVersion: v1.version }));
    expect(stale).toBeInstanceOf(BlobVersionConflictError);
    expect(stale).toMatchObject({ key: k, expected: v1.version });
    expect(await failure(store.put(k, Buffer.from('again from scratch'), { ifAbsent: true }))).toBeInstanceOf(
      BlobVersionConflictError,
    );
    expect((await store.get(k))?.bytes.toString()).toBe('state 2');

    const v3 = await store.put(k, Buffer.from('state 3'), { ifVersion: v2.version });
    expect((await store.get(k))?.version).toBe(v3.version);
  });

  it('lets exactly one of two concurrent writers from the same version win', async () => {
    const k = key('race');
    const base = await store.put(k, Buffer.from('base'), { ifAbsent: true });
    const results = await Promise.allSettled([
      store.put(k, Buffer.from('writer A'), { ifVersion: base.version }),
      store.put(k, Buffer.from('writer B'), { ifVersion: base.version }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(BlobVersionConflictError);
    expect(['writer A', 'writer B']).toContain((await store.get(k))?.bytes.toString());
  });

  it('treats a version that was deleted meanwhile as a conflict, and deletes idempotently', async () => {
    const k = key('deleted');
    const { version } = await store.put(k, Buffer.from('x'));
    await store.delete(k);
    expect(await store.get(k)).toBeNull();
    await store.delete(k);
    expect(await failure(store.put(k, Buffer.from('y'), { ifVersion: version }))).toBeInstanceOf(
      BlobVersionConflictError,
    );
    await expect(store.put(k, Buffer.from('y'), { ifAbsent: true })).resolves.toHaveProperty('version');
  });

  it('sends SSE-KMS and the conditional headers when configured for AWS, and fauxqs accepts them', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const s3 = new S3Client({
      endpoint: aws.endpoints.s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
    s3.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        seen.push({
          sse: headers['x-amz-server-side-encryption'],
          sseKey: headers['x-amz-server-side-encryption-aws-kms-key-id'],
          ifMatch: headers['if-match'],
          ifNoneMatch: headers['if-none-match'],
        });
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    const onAws = S3EncryptedBlobStore.forCredentials(
      { ...aws.config, APP_LOCAL_MODE: false, APP_KMS_KEY_ID: 'alias/wa-data' },
      s3,
      provider,
    );
    try {
      const k = key('sse');
      const v1 = await onAws.put(k, Buffer.from(secret), { ifAbsent: true });
      await onAws.put(k, Buffer.from(secret), { ifVersion: v1.version });
      expect((await onAws.get(k))?.bytes.toString()).toBe(secret);
      expect(seen[0]).toEqual({
        sse: 'aws:kms',
        sseKey: 'alias/wa-data',
        ifMatch: undefined,
        ifNoneMatch: '*',
      });
      expect(seen[1]).toMatchObject({ sse: 'aws:kms', ifMatch: v1.version, ifNoneMatch: undefined });
    } finally {
      s3.destroy();
    }
  });
});

describe('S3EncryptedBlobStore conditional-write mode against S3 error answers', () => {
  it('maps 412 PreconditionFailed and 409 ConditionalRequestConflict to BlobVersionConflictError', async () => {
    const answers = [
      { status: 412, code: 'PreconditionFailed' },
      { status: 409, code: 'ConditionalRequestConflict' },
      { status: 503, code: 'SlowDown' },
    ];
    const requests: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      requests.push(req.headers);
      req.resume();
      const answer = answers[requests.length - 1] ?? { status: 500, code: 'InternalError' };
      res.writeHead(answer.status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>no</Message></Error>`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const remote = new S3EncryptedBlobStore({
      s3,
      bucket: 'b',
      cipher: new EnvelopeCipher(provider),
      versionCheck: 'conditional-write',
    });
    try {
      expect(await failure(remote.put('k', Buffer.from('x'), { ifVersion: '"v1"' }))).toBeInstanceOf(
        BlobVersionConflictError,
      );
      expect(await failure(remote.put('k', Buffer.from('x'), { ifAbsent: true }))).toBeInstanceOf(
        BlobVersionConflictError,
      );
      const outage = await failure(remote.put('k', Buffer.from('x'), { ifAbsent: true }));
      expect(outage).not.toBeInstanceOf(BlobVersionConflictError);
      expect((outage as Error).name).toBe('SlowDown');
      // No HeadObject on AWS: S3 itself decides, so every request was a conditional PUT.
      expect(requests.map((h) => h['if-match'] ?? h['if-none-match'])).toEqual(['"v1"', '*', '*']);
    } finally {
      s3.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
