/** Erasing a session's messages and chats (`DELETE /v1/sessions/{id}`). */

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
