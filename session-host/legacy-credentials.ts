/**
 * The credentials layout before issue #14: ONE encrypted object per session in the credentials bucket
 * (`sessions/<id>/auth`, `{ v: 1, creds, keys: { <type>: { <id>: value } } }`). A host that attaches a session
 * with no `creds` item migrates it once: reads the object, writes every key as an item and the creds last (so a
 * `creds` item means the migration completed), then deletes the object. A crash in between leaves the object
 * and no `creds` item, and the next attach simply migrates again (items are replaced whole, so that is safe).
 */
import { BufferJSON } from '@whiskeysockets/baileys';
import { z } from 'zod';
import { DecryptionError } from '../shared/crypto/envelope.js';
import type { BlobStore } from '../shared/ports/blob-store.js';
import { CREDS_TYPE, type CredentialChange } from '../shared/ports/credential-store.js';
import { credentialsKeyPrefix } from '../shared/ports/credentials-eraser.js';
import { encodeCredentialValue } from './credential-codec.js';

/** Object key of a session's legacy credentials, under the prefix the control plane erases. */
export function credentialsKey(sessionId: string): string {
  return `${credentialsKeyPrefix(sessionId)}auth`;
}

/** The stored credentials cannot be read as they are (tampered, corrupted, another key): retrying cannot help. */
export class CredentialsUnreadableError extends Error {
  override readonly name = 'CredentialsUnreadableError';
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`credentials ${key} are unreadable: ${reason}`, options);
  }
}

const LegacyAuthSchema = z.object({
  v: z.literal(1),
  creds: z.looseObject({ noiseKey: z.unknown(), signedIdentityKey: z.unknown() }),
  keys: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type LegacyAuth = z.infer<typeof LegacyAuthSchema>;

/** The session's legacy object, or null when there is none. `CredentialsUnreadableError` if it cannot be read. */
export async function readLegacyCredentials(blobs: BlobStore, sessionId: string): Promise<LegacyAuth | null> {
  const key = credentialsKey(sessionId);
  let stored: Awaited<ReturnType<BlobStore['get']>>;
  try {
    stored = await blobs.get(key);
  } catch (error) {
    if (error instanceof DecryptionError)
      throw new CredentialsUnreadableError(key, error.reason, { cause: error });
    throw error; // transient (S3, KMS): the caller retries later
  }
  if (!stored) return null;
  try {
    const json: unknown = JSON.parse(stored.bytes.toString('utf8'), BufferJSON.reviver);
    return LegacyAuthSchema.parse(json);
  } catch (error) {
    throw new CredentialsUnreadableError(key, 'invalid content', { cause: error });
  }
}

/** Every key of the legacy state as an item, the creds last (the marker of a completed migration). */
export function legacyToChanges(legacy: LegacyAuth): CredentialChange[] {
  const changes: CredentialChange[] = [];
  for (const [type, entries] of Object.entries(legacy.keys)) {
    for (const [id, value] of Object.entries(entries)) {
      if (value !== null && value !== undefined)
        changes.push({ type, id, value: encodeCredentialValue(value) });
    }
  }
  changes.push({ type: CREDS_TYPE, id: '', value: encodeCredentialValue(legacy.creds) });
  return changes;
}

export function deleteLegacyCredentials(blobs: BlobStore, sessionId: string): Promise<void> {
  return blobs.delete(credentialsKey(sessionId));
}
