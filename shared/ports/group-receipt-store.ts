/**
 * Per-member receipts of our messages to groups (docs/messaging.md, "Group receipts"): who has had each message
 * delivered and who has read it, so the message's status can roll up the way WhatsApp shows it.
 */
export interface GroupReceiptCounts {
  /** Members the message was delivered to (reading implies delivery). */
  readonly delivered: number;
  readonly read: number;
}

export interface GroupReceiptStore {
  /** Records one member's receipt (idempotent per member) and answers the counts after it. */
  record(
    sessionId: string,
    messageId: string,
    member: string,
    kind: 'delivered' | 'read',
  ): Promise<GroupReceiptCounts>;
}
