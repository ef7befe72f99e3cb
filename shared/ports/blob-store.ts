/**
 * Small opaque objects kept whole (a session's Baileys auth state), with an optimistic version check so a stale
 * writer (a host that lost its lease but has not noticed yet) cannot overwrite a newer state.
 *
 * Versions are opaque strings from the store (the S3 ETag). A writer remembers the version it read or last
 * wrote and passes it back as `ifVersion`; the first write of a key passes `ifAbsent`.
 */

export interface PutBlobOptions {
  /** Write only if the stored version is still this one (it was not replaced or deleted since). */
  readonly ifVersion?: string;
  /** Write only if nothing is stored under the key yet. */
  readonly ifAbsent?: boolean;
  /** The media type of the plain bytes (kept beside the object, not encrypted: it is not secret). */
  readonly contentType?: string;
}

export interface StoredBlob {
  readonly bytes: Buffer;
  readonly version: string;
  /** What the writer gave as `contentType`, if anything. */
  readonly contentType?: string;
}

export interface BlobStore {
  /** Stores `bytes` and returns the new version. Without options, the last writer wins. */
  put(key: string, bytes: Uint8Array, options?: PutBlobOptions): Promise<{ readonly version: string }>;
  /** `null` when missing. A corrupted or tampered object is a `DecryptionError` (never garbage bytes). */
  get(key: string): Promise<StoredBlob | null>;
  /** Whether something is stored under the key, without reading (or decrypting) it. */
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** The stored version is not the one the writer expected: it must reload (or give up the session) and not retry blindly. */
export class BlobVersionConflictError extends Error {
  override readonly name = 'BlobVersionConflictError';
  constructor(
    readonly key: string,
    /** The version the writer expected, or `absent` for `ifAbsent`. */
    readonly expected: string,
    options?: { cause?: unknown },
  ) {
    super(`blob ${key} changed since version ${expected}; refusing to overwrite it`, options);
  }
}
