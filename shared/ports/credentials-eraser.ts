/**
 * Erasing a session's credentials (Baileys auth state). Contract with the session host: they live in the
 * `credentials` table, one item per key under the session's partition (docs/credentials-and-commands.md), and,
 * until the host migrated them on its first attach, as objects in the credentials bucket under
 * `credentialsKeyPrefix(sessionId)`. Erasing deletes both, so the API need not know the host's layout.
 */

export function credentialsKeyPrefix(sessionId: string): string {
  return `sessions/${sessionId}/`;
}

export interface CredentialsEraser {
  /** Deletes every credentials object of the session; idempotent. */
  erase(sessionId: string): Promise<void>;
}
