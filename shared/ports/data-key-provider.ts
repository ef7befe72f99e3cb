/**
 * Where data keys come from (DESIGN.md section 3, "Credentials"). Every encrypted object gets its own data key;
 * the provider hands out a plaintext copy (used once, then zeroised) and a wrapped copy (stored beside the
 * ciphertext). On AWS the wrapping key is the app's KMS key; in local mode a master key from configuration.
 *
 * The context is KMS's EncryptionContext: it is authenticated, not secret, and appears in CloudTrail, so it names
 * what the key protects (an object key, a session id) and never holds a secret.
 */

/** KMS EncryptionContext: string keys to string values, authenticated with the wrapped key. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Which provider wrapped a data key; stored as one byte in the envelope header, so values never change. */
export const DATA_KEY_PROVIDER_IDS = { 'aws-kms': 1, local: 2 } as const;
export type DataKeyProviderName = keyof typeof DATA_KEY_PROVIDER_IDS;

export interface DataKey {
  /** 32 bytes for AES-256. The caller zeroises it (`fill(0)`) once the cipher is set up. */
  readonly plaintext: Buffer;
  /** Opaque; safe to store next to the ciphertext. */
  readonly wrapped: Buffer;
}

export interface DataKeyProvider {
  readonly name: DataKeyProviderName;
  generateDataKey(context: EncryptionContext): Promise<DataKey>;
  /**
   * The plaintext data key. `DataKeyRejectedError` when the wrapped key is not valid under this context (tampered,
   * copied from another object, wrapped by another key); any other error (network, throttling, permissions) is
   * transient or operational and propagates unchanged, so callers never mistake an outage for corrupted data.
   */
  decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer>;
}

/** The wrapped key is refused for good. The message never contains key material. */
export class DataKeyRejectedError extends Error {
  override readonly name = 'DataKeyRejectedError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`data key rejected: ${reason}`, options);
  }
}

/**
 * One byte string per context, independent of property order, for providers that authenticate the context
 * themselves (the local provider, the KMS stand-in). Length-prefixed so no two contexts encode alike.
 */
export function encodeEncryptionContext(context: EncryptionContext): Buffer {
  const parts: Buffer[] = [];
  for (const key of Object.keys(context).sort()) {
    for (const text of [key, context[key] ?? '']) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}
