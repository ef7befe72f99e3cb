/**
 * Local mode's data key provider: data keys wrapped with AES-256-GCM under `APP_LOCAL_MASTER_KEY`, the
 * EncryptionContext as additional data, so a wrapped key only opens for the context it was made for (as with
 * KMS). For local mode and tests only: the master key sits in an environment variable, with no audit, rotation
 * or access control. On AWS the KMS provider is used.
 *
 * Wrapped key format: version (1) | IV (12) | encrypted data key (32) | GCM tag (16) = 61 bytes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  DataKeyRejectedError,
  encodeEncryptionContext,
  type DataKey,
  type DataKeyProvider,
  type EncryptionContext,
} from '../../ports/data-key-provider.js';

const WRAP_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = 1 + IV_BYTES + KEY_BYTES + TAG_BYTES;

export class LocalDataKeyProvider implements DataKeyProvider {
  readonly name = 'local' as const;
  readonly #masterKey: Buffer;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== KEY_BYTES) {
      throw new RangeError(`local master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
    }
    this.#masterKey = Buffer.from(masterKey);
  }

  /** From `APP_LOCAL_MASTER_KEY` (base64 of 32 bytes). The error names the variable, never its value. */
  static fromBase64(value: string | undefined): LocalDataKeyProvider {
    const bytes = value ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (bytes.length !== KEY_BYTES) {
      throw new RangeError(`APP_LOCAL_MASTER_KEY must be base64 of ${KEY_BYTES} bytes`);
    }
    try {
      return new LocalDataKeyProvider(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const plaintext = randomBytes(KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#masterKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(encodeEncryptionContext(context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const wrapped = Buffer.concat([Buffer.of(WRAP_VERSION), iv, sealed, cipher.getAuthTag()]);
    return { plaintext, wrapped };
  }

  async decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_VERSION) {
      throw new DataKeyRejectedError('not a local wrapped key');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const sealed = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + KEY_BYTES);
    const tag = wrapped.subarray(WRAPPED_BYTES - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#masterKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(encodeEncryptionContext(context));
    decipher.setAuthTag(tag);
    const partial = decipher.update(sealed);
    try {
      return Buffer.concat([partial, decipher.final()]);
    } catch {
      throw new DataKeyRejectedError('wrong master key, context or tampered wrapped key');
    } finally {
      partial.fill(0);
    }
  }
}
