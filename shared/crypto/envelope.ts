/**
 * Client-side envelope encryption (DESIGN.md section 3, "Credentials"): AES-256-GCM under a fresh data key per
 * sealed blob, the data key wrapped by a `DataKeyProvider` (KMS on AWS) and stored in the blob's header.
 *
 * Format version 1, all integers big-endian (docs/credentials-and-commands.md has the table):
 *
 *   magic "WAEV" (4) | format version (1) | provider id (1) | wrapped key length n (2) | wrapped key (n)
 *   | IV (12) | ciphertext (any) | GCM tag (16)
 *
 * The GCM additional data is the whole header (magic through IV) followed by the blob's identity (e.g.
 * `bucket/key`), so a changed header byte or a blob copied under another identity fails authentication. The same
 * identity goes into the data key's EncryptionContext, so KMS refuses the wrapped key of a copied blob as well
 * (and CloudTrail shows which object each Decrypt was for).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  DATA_KEY_PROVIDER_IDS,
  DataKeyRejectedError,
  type DataKeyProvider,
  type EncryptionContext,
} from '../ports/data-key-provider.js';

export const ENVELOPE_MAGIC = Buffer.from('WAEV', 'ascii');
export const ENVELOPE_FORMAT_VERSION = 1;
export const DATA_KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
/** The EncryptionContext entry naming the blob a data key belongs to. */
export const ENVELOPE_CONTEXT_KEY = 'wa:envelope';

const FIXED_HEADER_BYTES = ENVELOPE_MAGIC.length + 1 + 1 + 2;
const MAX_WRAPPED_KEY_BYTES = 0xffff;

export type DecryptionFailure =
  /** Not an envelope at all (wrong magic) or a format version this code does not know. */
  | 'unknown-format'
  /** Shorter than its own header says. */
  | 'truncated'
  /** Sealed by another provider than the one configured (e.g. a local blob read on AWS). */
  | 'provider-mismatch'
  /** The provider refused the wrapped data key (tampered, wrong master key, other identity). */
  | 'wrapped-key-rejected'
  /** GCM authentication failed: ciphertext, tag, IV, header or identity changed. */
  | 'authentication-failed';

/**
 * The blob can never be decrypted as it is: retrying will not help. Transient failures (KMS unreachable,
 * throttled, access denied) are not this error. Messages name the identity and the reason, never key material.
 */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  constructor(
    readonly identity: string,
    readonly reason: DecryptionFailure,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decrypt ${identity}: ${reason}${detail ? ` (${detail})` : ''}`, options);
  }
}

export interface EnvelopeHeader {
  readonly formatVersion: number;
  readonly providerId: number;
  readonly wrappedKey: Buffer;
  readonly iv: Buffer;
  /** Header bytes, magic through IV: the first part of the GCM additional data. */
  readonly raw: Buffer;
}

/** Parses the header; `DecryptionError` for anything that is not a complete version-1 envelope. */
export function readEnvelopeHeader(blob: Uint8Array, identity: string): EnvelopeHeader {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (
    bytes.length < ENVELOPE_MAGIC.length ||
    !bytes.subarray(0, ENVELOPE_MAGIC.length).equals(ENVELOPE_MAGIC)
  ) {
    throw new DecryptionError(identity, 'unknown-format', 'no envelope magic');
  }
  if (bytes.length < FIXED_HEADER_BYTES)
    throw new DecryptionError(identity, 'truncated', `${bytes.length} bytes`);
  const formatVersion = bytes.readUInt8(4);
  if (formatVersion !== ENVELOPE_FORMAT_VERSION) {
    throw new DecryptionError(identity, 'unknown-format', `format version ${formatVersion}`);
  }
  const providerId = bytes.readUInt8(5);
  const wrappedLength = bytes.readUInt16BE(6);
  const ivStart = FIXED_HEADER_BYTES + wrappedLength;
  const headerEnd = ivStart + IV_BYTES;
  if (wrappedLength === 0 || bytes.length < headerEnd + TAG_BYTES) {
    throw new DecryptionError(identity, 'truncated', `${bytes.length} bytes`);
  }
  return {
    formatVersion,
    providerId,
    wrappedKey: bytes.subarray(FIXED_HEADER_BYTES, ivStart),
    iv: bytes.subarray(ivStart, headerEnd),
    raw: bytes.subarray(0, headerEnd),
  };
}

/** Seals and opens envelopes with one provider. Stateless apart from the provider; safe to share. */
export class EnvelopeCipher {
  constructor(private readonly provider: DataKeyProvider) {}

  /** A new blob with a fresh data key and IV; `identity` must be given again, identically, to `open`. */
  async seal(plaintext: Uint8Array, identity: string): Promise<Buffer> {
    const dataKey = await this.provider.generateDataKey(contextFor(identity));
    try {
      if (dataKey.plaintext.length !== DATA_KEY_BYTES) {
        throw new Error(
          `data key provider returned ${dataKey.plaintext.length} bytes, expected ${DATA_KEY_BYTES}`,
        );
      }
      if (dataKey.wrapped.length === 0 || dataKey.wrapped.length > MAX_WRAPPED_KEY_BYTES) {
        throw new Error(`wrapped data key of ${dataKey.wrapped.length} bytes does not fit the envelope`);
      }
      const fixed = Buffer.alloc(FIXED_HEADER_BYTES);
      ENVELOPE_MAGIC.copy(fixed, 0);
      fixed.writeUInt8(ENVELOPE_FORMAT_VERSION, 4);
      fixed.writeUInt8(DATA_KEY_PROVIDER_IDS[this.provider.name], 5);
      fixed.writeUInt16BE(dataKey.wrapped.length, 6);
      const iv = randomBytes(IV_BYTES);
      const header = Buffer.concat([fixed, dataKey.wrapped, iv]);
      const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(header, identity));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([header, ciphertext, cipher.getAuthTag()]);
    } finally {
      // Node copies the key into OpenSSL, so this only clears our copy; still shortens its life on the JS heap.
      dataKey.plaintext.fill(0);
    }
  }

  /** The plaintext, or `DecryptionError` when the blob is not authentic for this identity and provider. */
  async open(blob: Uint8Array, identity: string): Promise<Buffer> {
    const header = readEnvelopeHeader(blob, identity);
    if (header.providerId !== DATA_KEY_PROVIDER_IDS[this.provider.name]) {
      throw new DecryptionError(identity, 'provider-mismatch', `provider id ${header.providerId}`);
    }
    let dataKey: Buffer;
    try {
      dataKey = await this.provider.decryptDataKey(Buffer.from(header.wrappedKey), contextFor(identity));
    } catch (error) {
      if (error instanceof DataKeyRejectedError) {
        throw new DecryptionError(identity, 'wrapped-key-rejected', undefined, { cause: error });
      }
      throw error;
    }
    const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const ciphertext = bytes.subarray(header.raw.length, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    let partial: Buffer | undefined;
    try {
      if (dataKey.length !== DATA_KEY_BYTES)
        throw new DecryptionError(identity, 'wrapped-key-rejected', 'key size');
      const decipher = createDecipheriv('aes-256-gcm', dataKey, header.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(header.raw, identity));
      decipher.setAuthTag(tag);
      partial = decipher.update(ciphertext);
      return Buffer.concat([partial, decipher.final()]);
    } catch (error) {
      if (error instanceof DecryptionError) throw error;
      throw new DecryptionError(identity, 'authentication-failed');
    } finally {
      // `concat` copied it; on failure it is unauthenticated plaintext, which must not outlive the check.
      partial?.fill(0);
      dataKey.fill(0);
    }
  }
}

function contextFor(identity: string): EncryptionContext {
  return { [ENVELOPE_CONTEXT_KEY]: identity };
}

function additionalData(header: Buffer, identity: string): Buffer {
  return Buffer.concat([header, Buffer.from(identity, 'utf8')]);
}
