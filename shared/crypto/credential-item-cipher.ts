/**
 * Sealing of one credential item (docs/credentials-and-commands.md, "Credential items"): AES-256-GCM under the
 * session's data key, with additional data that names the item's session, type and id. An item copied to another
 * session, or moved under another type or id inside its session, fails authentication, so a row cannot be swapped
 * for another (an old session key of one contact replayed as another's, a session's keys grafted onto another).
 *
 * Format version 1: version (1) | IV (12) | ciphertext (any) | GCM tag (16).
 * Additional data: "wa:credential-item" | version (1) | for each of sessionId, type, id: length (4, BE) | UTF-8.
 *
 * The data key itself is wrapped once per session by the `DataKeyProvider` (KMS on AWS) and cached while the host
 * owns the session (`shared/adapters/dynamodb/credential-store.ts`): unlike blob envelopes, items do not each
 * carry a wrapped key, which would cost a KMS call and ~200 bytes per item.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES, DecryptionError, IV_BYTES, TAG_BYTES } from './envelope.js';

export const CREDENTIAL_ITEM_FORMAT_VERSION = 1;
const AAD_LABEL = Buffer.from('wa:credential-item', 'ascii');

/** Which item a sealed value belongs to; all three parts are authenticated. */
export interface CredentialItemRef {
  readonly sessionId: string;
  readonly type: string;
  readonly id: string;
}

export class CredentialItemCipher {
  readonly #key: Buffer;
  #destroyed = false;

  /** Keeps its own copy of `dataKey` (32 bytes); the caller may zeroise its copy. */
  constructor(dataKey: Uint8Array) {
    if (dataKey.length !== DATA_KEY_BYTES) {
      throw new RangeError(`credential data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
    }
    this.#key = Buffer.from(dataKey);
  }

  seal(ref: CredentialItemRef, plaintext: Uint8Array): Buffer {
    this.#assertLive();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(ref));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.of(CREDENTIAL_ITEM_FORMAT_VERSION), iv, ciphertext, cipher.getAuthTag()]);
  }

  /** The plaintext, or `DecryptionError` when the value was not sealed for exactly this item with this key. */
  open(ref: CredentialItemRef, sealed: Uint8Array): Buffer {
    this.#assertLive();
    const identity = `credentials ${ref.sessionId}/${ref.type}`;
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES) {
      throw new DecryptionError(identity, 'truncated', `${bytes.length} bytes`);
    }
    const version = bytes.readUInt8(0);
    if (version !== CREDENTIAL_ITEM_FORMAT_VERSION) {
      throw new DecryptionError(identity, 'unknown-format', `format version ${version}`);
    }
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const ciphertext = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    let partial: Buffer | undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(ref));
      decipher.setAuthTag(tag);
      partial = decipher.update(ciphertext);
      return Buffer.concat([partial, decipher.final()]);
    } catch {
      throw new DecryptionError(identity, 'authentication-failed');
    } finally {
      // Unauthenticated plaintext on failure, a copy on success: either way ours to clear.
      partial?.fill(0);
    }
  }

  /** Zeroises the key (the session left this host); any later use throws. */
  destroy(): void {
    this.#destroyed = true;
    this.#key.fill(0);
  }

  #assertLive(): void {
    if (this.#destroyed) throw new Error('credential item cipher used after destroy');
  }
}

function additionalData(ref: CredentialItemRef): Buffer {
  const parts: Buffer[] = [AAD_LABEL, Buffer.of(CREDENTIAL_ITEM_FORMAT_VERSION)];
  for (const text of [ref.sessionId, ref.type, ref.id]) {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}
