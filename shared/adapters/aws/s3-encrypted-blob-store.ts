/**
 * Blobs on S3, encrypted client-side (an envelope per write, identity `bucket/key`) on top of SSE-KMS, with an
 * optimistic version check on the object's ETag (docs/credentials-and-commands.md, "Version check").
 *
 * Two ways to enforce the check, because the local S3 (fauxqs 1.9.2) accepts but ignores conditional PutObject
 * headers:
 * - `conditional-write` (AWS): `If-Match: <etag>` / `If-None-Match: *` on PutObject. S3 decides atomically;
 *   412 PreconditionFailed (or 409 ConditionalRequestConflict for a concurrent conditional write) is a conflict.
 * - `check-then-write` (local): the same headers, plus a HeadObject comparison first, serialised per key within
 *   this process. Two processes racing inside one HEAD->PUT round trip could both pass; the DynamoDB lease is the
 *   primary guard against two writers, this is its second line.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AppConfig } from '../../config/app-config.js';
import { EnvelopeCipher } from '../../crypto/envelope.js';
import {
  BlobVersionConflictError,
  type BlobStore,
  type PutBlobOptions,
  type StoredBlob,
} from '../../ports/blob-store.js';
import type { DataKeyProvider } from '../../ports/data-key-provider.js';

export type VersionCheckMode = 'conditional-write' | 'check-then-write';

export interface S3EncryptedBlobStoreOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly cipher: EnvelopeCipher;
  /** SSE-KMS key for S3's own layer. Sent only on AWS; the local S3 has no KMS behind it. */
  readonly sseKmsKeyId?: string;
  readonly versionCheck: VersionCheckMode;
  /** Prepended to every key (e.g. `sessions/`); part of the encryption identity like the rest of the key. */
  readonly keyPrefix?: string;
}

/** User metadata key (`x-amz-meta-plain-content-type`) for `PutBlobOptions.contentType`. */
const PLAIN_CONTENT_TYPE = 'plain-content-type';

export class S3EncryptedBlobStore implements BlobStore {
  readonly #locks = new KeyedLock();

  constructor(private readonly options: S3EncryptedBlobStoreOptions) {}

  /** The credentials bucket as configured: SSE-KMS and S3's conditional writes on AWS, the emulated check locally. */
  static forCredentials(
    config: Pick<AppConfig, 'APP_CREDENTIALS_BUCKET' | 'APP_KMS_KEY_ID' | 'APP_LOCAL_MODE'>,
    s3: S3Client,
    provider: DataKeyProvider,
  ): S3EncryptedBlobStore {
    return S3EncryptedBlobStore.configured(config.APP_CREDENTIALS_BUCKET, config, s3, provider);
  }

  /**
   * The media bucket as configured (`media/<tenantId>/<mediaId>`: uploads and incoming media), with the same
   * envelope, SSE-KMS and version-check choices as the credentials bucket.
   */
  static forMedia(
    config: Pick<AppConfig, 'APP_MEDIA_BUCKET' | 'APP_KMS_KEY_ID' | 'APP_LOCAL_MODE'>,
    s3: S3Client,
    provider: DataKeyProvider,
  ): S3EncryptedBlobStore {
    return S3EncryptedBlobStore.configured(config.APP_MEDIA_BUCKET, config, s3, provider);
  }

  private static configured(
    bucket: string,
    config: Pick<AppConfig, 'APP_KMS_KEY_ID' | 'APP_LOCAL_MODE'>,
    s3: S3Client,
    provider: DataKeyProvider,
  ): S3EncryptedBlobStore {
    const onAws = !config.APP_LOCAL_MODE;
    return new S3EncryptedBlobStore({
      s3,
      bucket,
      cipher: new EnvelopeCipher(provider),
      ...(onAws && config.APP_KMS_KEY_ID ? { sseKmsKeyId: config.APP_KMS_KEY_ID } : {}),
      versionCheck: onAws ? 'conditional-write' : 'check-then-write',
    });
  }

  async put(
    key: string,
    bytes: Uint8Array,
    options: PutBlobOptions = {},
  ): Promise<{ readonly version: string }> {
    if (options.ifAbsent && options.ifVersion !== undefined) {
      throw new TypeError('put: ifAbsent and ifVersion are mutually exclusive');
    }
    const objectKey = this.objectKey(key);
    // Sealed before taking the lock: the KMS round trip need not hold other writers of the key back.
    const body = await this.options.cipher.seal(bytes, this.identity(objectKey));
    const conditional = options.ifAbsent === true || options.ifVersion !== undefined;
    if (this.options.versionCheck === 'check-then-write' && conditional) {
      return this.#locks.run(objectKey, async () => {
        await this.check(key, objectKey, options);
        return this.write(key, objectKey, body, options);
      });
    }
    return this.write(key, objectKey, body, options);
  }

  async get(key: string): Promise<StoredBlob | null> {
    const objectKey = this.objectKey(key);
    let raw: Uint8Array;
    let version: string;
    let contentType: string | undefined;
    try {
      const out = await this.options.s3.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: objectKey }),
      );
      if (!out.Body || !out.ETag) throw new Error(`S3 GetObject of ${objectKey} returned no body or ETag`);
      raw = await out.Body.transformToByteArray();
      version = out.ETag;
      contentType = out.Metadata?.[PLAIN_CONTENT_TYPE];
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const bytes = await this.options.cipher.open(raw, this.identity(objectKey));
    return { bytes, version, ...(contentType ? { contentType } : {}) };
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.options.s3.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.options.s3.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
    );
  }

  private async write(
    key: string,
    objectKey: string,
    body: Buffer,
    options: PutBlobOptions,
  ): Promise<{ readonly version: string }> {
    const input: PutObjectCommandInput = {
      Bucket: this.options.bucket,
      Key: objectKey,
      Body: body,
      // The object is an envelope; the plain bytes' media type travels as user metadata.
      ContentType: 'application/octet-stream',
      ...(options.contentType ? { Metadata: { [PLAIN_CONTENT_TYPE]: options.contentType } } : {}),
      ...(options.ifVersion !== undefined ? { IfMatch: options.ifVersion } : {}),
      ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
      ...(this.options.sseKmsKeyId
        ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.options.sseKmsKeyId }
        : {}),
    };
    try {
      const out = await this.options.s3.send(new PutObjectCommand(input));
      if (!out.ETag) throw new Error(`S3 PutObject of ${objectKey} returned no ETag`);
      return { version: out.ETag };
    } catch (error) {
      const conflict =
        statusOf(error) === 412 ||
        (statusOf(error) === 409 && nameOf(error) === 'ConditionalRequestConflict') ||
        // If-Match on a key that was deleted meanwhile: the expected version is gone, which is a conflict too.
        (options.ifVersion !== undefined && isMissing(error));
      if (conflict) throw new BlobVersionConflictError(key, expectedOf(options), { cause: error });
      throw error;
    }
  }

  private async check(key: string, objectKey: string, options: PutBlobOptions): Promise<void> {
    let current: string | null;
    try {
      const head = await this.options.s3.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: objectKey }),
      );
      current = head.ETag ?? null;
    } catch (error) {
      if (!isMissing(error)) throw error;
      current = null;
    }
    const holds = options.ifAbsent ? current === null : current !== null && current === options.ifVersion;
    if (!holds) throw new BlobVersionConflictError(key, expectedOf(options));
  }

  private objectKey(key: string): string {
    if (key.length === 0) throw new TypeError('blob key must not be empty');
    return `${this.options.keyPrefix ?? ''}${key}`;
  }

  /** Binding to bucket and key: a blob copied elsewhere, even within the bucket, does not decrypt. */
  private identity(objectKey: string): string {
    return `${this.options.bucket}/${objectKey}`;
  }
}

function expectedOf(options: PutBlobOptions): string {
  return options.ifAbsent ? 'absent' : (options.ifVersion ?? 'any');
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isMissing(error: unknown): boolean {
  return statusOf(error) === 404 || nameOf(error) === 'NoSuchKey' || nameOf(error) === 'NotFound';
}

/** Runs tasks for one key one after another; different keys run in parallel. */
class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      // Forget the key once nothing is queued behind us, so the map does not grow with every key ever written.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
