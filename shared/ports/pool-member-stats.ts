/**
 * The failure and restriction counts on a pool member's load item (`pools` `load#<poolId>#<sessionId>`), written
 * by the pool failover worker from `message.status` and `session.restricted` events. Every write is idempotent:
 * SQS and EventBridge deliver at least once.
 */
export interface PoolMemberKey {
  readonly tenantId: string;
  readonly poolId: string;
  readonly sessionId: string;
}

export interface PoolMemberStats {
  /**
   * Counts failed message `messageId` (of member `sessionId`) on the member's load, once: the message is marked
   * counted in the same transaction. False when it was counted already (or is gone).
   */
  countFailure(member: PoolMemberKey, messageId: string): Promise<boolean>;
  /** A restricted period starts at `since` (no-op while one is open). */
  restrictionStarted(member: PoolMemberKey, since: string, type: string): Promise<void>;
  /** The open restricted period ends at `until` (no-op when none is open). */
  restrictionEnded(member: PoolMemberKey, until: string): Promise<void>;
}
