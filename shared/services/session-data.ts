/**
 * Erasing a session's data (`DELETE /v1/sessions/{id}`, and the credentials on a logout nobody else handles).
 * The ports (`shared/ports/credentials-eraser.ts`, `session-records-eraser.ts`) say what each eraser deletes.
 */
import type { CredentialsEraser } from '../ports/credentials-eraser.js';

/** Several erasers as one, in order (the table's items and the bucket's leftover objects). */
export class CredentialsErasers implements CredentialsEraser {
  constructor(private readonly erasers: readonly CredentialsEraser[]) {}

  async erase(sessionId: string): Promise<void> {
    for (const eraser of this.erasers) await eraser.erase(sessionId);
  }
}
