/**
 * A KMS stand-in for the local cloud and tests: the KMS JSON protocol (`X-Amz-Target: TrentService.*`,
 * `application/x-amz-json-1.1`, base64 blobs) on a loopback port, faithful enough that `@aws-sdk/client-kms` works
 * against it unchanged. One symmetric key, made at start, in memory only (a restart makes old ciphertexts
 * undecryptable, like a deleted key). Honours EncryptionContext exactly as KMS does: a ciphertext opens only
 * with the context it was made with. Request signatures are not checked.
 *
 * Operations: GenerateDataKey, Decrypt, Encrypt, DescribeKey. Errors are KMS's own shapes: HTTP 400 with
 * `{ "__type": "<Name>Exception", "message": ... }`.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeEncryptionContext, type EncryptionContext } from '../shared/ports/data-key-provider.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-aws.js';

export interface RunningKmsStandIn {
  readonly endpoint: string;
  /** The key's ARN; its bare id and `alias/wa-local` resolve to it as well. */
  readonly keyId: string;
  stop(): Promise<void>;
}

export const LOCAL_KMS_ALIAS = 'alias/wa-local';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'TrentService.';
const MAX_BODY_BYTES = 256 * 1024;
const MAX_ENCRYPT_PLAINTEXT = 4096;
/** Ciphertext blob: magic (4) | key id length (1) | key id | IV (12) | ciphertext | tag (16). */
const BLOB_MAGIC = Buffer.from('LKMS', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface StandInKey {
  readonly id: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly createdAt: number;
}

export async function startKmsStandIn(options: { port?: number } = {}): Promise<RunningKmsStandIn> {
  const id = randomUUID();
  const key: StandInKey = {
    id,
    arn: `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:key/${id}`,
    material: randomBytes(32),
    createdAt: Date.now(),
  };
  const server = createServer((req, res) => {
    handle(req, key)
      .then((body) => reply(res, 200, body))
      .catch((error: unknown) => {
        const kmsError =
          error instanceof KmsError
            ? error
            : new KmsError('KMSInternalException', 'internal error in the stand-in');
        reply(res, kmsError.type === 'KMSInternalException' ? 500 : 400, {
          __type: kmsError.type,
          message: kmsError.message,
        });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keyId: key.arn,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, key: StandInKey): Promise<Record<string, unknown>> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const body = await readJson(req);
  if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
    throw new KmsError('UnknownOperationException', `unknown operation ${target || '(none)'}`);
  }
  switch (target.slice(TARGET_PREFIX.length)) {
    case 'GenerateDataKey':
      return generateDataKey(body, key);
    case 'Encrypt': {
      const target = resolveKey(requiredString(body, 'KeyId'), key);
      const plaintext = blob(body, 'Plaintext');
      if (plaintext.length < 1 || plaintext.length > MAX_ENCRYPT_PLAINTEXT) {
        throw new KmsError('ValidationException', `Plaintext must be 1 to ${MAX_ENCRYPT_PLAINTEXT} bytes`);
      }
      const ciphertext = seal(target, plaintext, context(body));
      return {
        CiphertextBlob: ciphertext.toString('base64'),
        KeyId: target.arn,
        EncryptionAlgorithm: algorithm(body),
      };
    }
    case 'Decrypt':
      return decrypt(body, key);
    case 'DescribeKey': {
      const found = resolveKey(requiredString(body, 'KeyId'), key);
      return { KeyMetadata: describe(found) };
    }
    default:
      throw new KmsError('UnknownOperationException', `unknown operation ${target}`);
  }
}

function generateDataKey(body: Record<string, unknown>, key: StandInKey): Record<string, unknown> {
  const target = resolveKey(requiredString(body, 'KeyId'), key);
  const spec = body['KeySpec'];
  const count = body['NumberOfBytes'];
  if ((spec === undefined) === (count === undefined)) {
    throw new KmsError('ValidationException', 'specify exactly one of KeySpec and NumberOfBytes');
  }
  let size: number;
  if (spec === 'AES_256') size = 32;
  else if (spec === 'AES_128') size = 16;
  else if (spec !== undefined)
    throw new KmsError('ValidationException', 'KeySpec must be AES_256 or AES_128');
  else if (typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= 1024) size = count;
  else throw new KmsError('ValidationException', 'NumberOfBytes must be an integer from 1 to 1024');
  const plaintext = randomBytes(size);
  try {
    return {
      CiphertextBlob: seal(target, plaintext, context(body)).toString('base64'),
      Plaintext: plaintext.toString('base64'),
      KeyId: target.arn,
    };
  } finally {
    plaintext.fill(0);
  }
}

function decrypt(body: Record<string, unknown>, key: StandInKey): Record<string, unknown> {
  const ciphertext = blob(body, 'CiphertextBlob');
  const requested = body['KeyId'] === undefined ? undefined : resolveKey(requiredString(body, 'KeyId'), key);
  const parsed = parseBlob(ciphertext);
  if (requested && requested.id !== parsed.keyId) {
    throw new KmsError(
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
  }
  // A blob naming a key this KMS does not hold is, to KMS, simply not a valid ciphertext.
  if (parsed.keyId !== key.id) throw new KmsError('InvalidCiphertextException', '');
  const decipher = createDecipheriv('aes-256-gcm', key.material, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(key.id, context(body)));
  decipher.setAuthTag(parsed.tag);
  const partial = decipher.update(parsed.sealed);
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([partial, decipher.final()]);
  } catch {
    // Real KMS says nothing more: the context, the blob or the key is wrong, and it will not say which.
    throw new KmsError('InvalidCiphertextException', '');
  } finally {
    partial.fill(0);
  }
  try {
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: algorithm(body) };
  } finally {
    plaintext.fill(0);
  }
}

function seal(key: StandInKey, plaintext: Buffer, ctx: EncryptionContext): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(key.id, ctx));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const id = Buffer.from(key.id, 'ascii');
  return Buffer.concat([BLOB_MAGIC, Buffer.of(id.length), id, iv, sealed, cipher.getAuthTag()]);
}

function parseBlob(ciphertext: Buffer): { keyId: string; iv: Buffer; sealed: Buffer; tag: Buffer } {
  const idStart = BLOB_MAGIC.length + 1;
  if (ciphertext.length < idStart || !ciphertext.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) {
    throw new KmsError('InvalidCiphertextException', '');
  }
  const ivStart = idStart + ciphertext.readUInt8(BLOB_MAGIC.length);
  if (ciphertext.length < ivStart + IV_BYTES + TAG_BYTES)
    throw new KmsError('InvalidCiphertextException', '');
  return {
    keyId: ciphertext.subarray(idStart, ivStart).toString('ascii'),
    iv: ciphertext.subarray(ivStart, ivStart + IV_BYTES),
    sealed: ciphertext.subarray(ivStart + IV_BYTES, ciphertext.length - TAG_BYTES),
    tag: ciphertext.subarray(ciphertext.length - TAG_BYTES),
  };
}

function additionalData(keyId: string, ctx: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.from(`${keyId}\n`, 'ascii'), encodeEncryptionContext(ctx)]);
}

/** Accepts what KMS accepts: key id, key ARN, alias name, alias ARN. */
function resolveKey(requested: string, key: StandInKey): StandInKey {
  const aliasArn = `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_KMS_ALIAS}`;
  if ([key.id, key.arn, LOCAL_KMS_ALIAS, aliasArn].includes(requested)) return key;
  if (requested.startsWith('alias/') || requested.includes(':alias/')) {
    throw new KmsError('NotFoundException', `Alias ${requested} is not found.`);
  }
  throw new KmsError('NotFoundException', `Key '${requested}' does not exist`);
}

function describe(key: StandInKey): Record<string, unknown> {
  return {
    AWSAccountId: LOCAL_ACCOUNT_ID,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: key.createdAt / 1000,
    Enabled: true,
    Description: 'wa-platform local KMS stand-in key',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

function algorithm(body: Record<string, unknown>): string {
  const requested = body['EncryptionAlgorithm'];
  if (requested !== undefined && requested !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('ValidationException', 'EncryptionAlgorithm must be SYMMETRIC_DEFAULT for this key');
  }
  return 'SYMMETRIC_DEFAULT';
}

function context(body: Record<string, unknown>): EncryptionContext {
  const value = body['EncryptionContext'];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KmsError('ValidationException', 'EncryptionContext must be a map of strings');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([, v]) => typeof v === 'string')) {
    throw new KmsError('ValidationException', 'EncryptionContext values must be strings');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new KmsError('ValidationException', `${field} is required`);
  }
  return value;
}

function blob(body: Record<string, unknown>, field: string): Buffer {
  const value = body[field];
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new KmsError('SerializationException', `${field} must be a base64 blob`);
  }
  return Buffer.from(value, 'base64');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new KmsError('SerializationException', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KmsError('SerializationException', 'request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KmsError('SerializationException', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
