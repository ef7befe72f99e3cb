/**
 * Erasing a session's data (`DELETE /v1/sessions/{id}`, and the credentials on a logout nobody else handles).
 *
 * Contract with the session host: a session's credentials (Baileys auth state) live in the `credentials` table,
 * one item per key under the session's partition (docs/credentials-and-commands.md), and, until the host
 * migrated them on its first attach, as objects in the credentials bucket under `credentialsKeyPrefix(sessionId)`
 * (`sessions/<sessionId>/`). Erasing deletes both: every item of the partition and every object under the prefix,
 * so the API need not know the host's layout.
 */

export function credentialsKeyPrefix(sessionId: string): string {
  return `sessions/${sessionId}/`;
}

export interface CredentialsEraser {
  /** Deletes every credentials object of the session; idempotent. */
  erase(sessionId: string): Promise<void>;
}

/** Several erasers as one, in order (the table's items and the bucket's leftover objects). */
export class CredentialsErasers implements CredentialsEraser {
  constructor(private readonly erasers: readonly CredentialsEraser[]) {}

  async erase(sessionId: string): Promise<void> {
    for (const eraser of this.erasers) await eraser.erase(sessionId);
  }
}

export interface SessionRecordsEraser {
  /**
   * Deletes every message and chat item of the session; idempotent. Returns how many items went.
   * `beforeDelete` gets, for each batch of messages about to be deleted, the `mediaId`s of the incoming files
   * they name, and the batch is deleted only once it resolved: a delete cut short and retried still finds the
   * messages whose files are not gone yet.
   */
  erase(
    sessionId: string,
    options?: { readonly beforeDelete?: (inboundMediaIds: readonly string[]) => Promise<void> },
  ): Promise<{ messages: number; chats: number }>;
}
