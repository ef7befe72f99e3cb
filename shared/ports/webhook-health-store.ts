/**
 * An endpoint's failure streak: consecutive failed delivery attempts and when the streak began. A success ends
 * it; a long enough streak disables the endpoint (the tenant re-enables it with `PATCH {"enabled": true}`).
 */

export interface FailureStreak {
  readonly failures: number;
  /** ISO timestamp of the first failure of the streak. */
  readonly since: string;
}

export interface WebhookHealthStore {
  /** Counts one failed attempt; `null` when the subscription is gone. */
  recordFailure(tenantId: string, webhookId: string, at: string): Promise<FailureStreak | null>;
  /** Ends the streak (cheap when there is none). */
  recordSuccess(tenantId: string, webhookId: string): Promise<void>;
  /** Disables the endpoint if it is still enabled; true when this call disabled it. */
  disable(tenantId: string, webhookId: string, at: string, reason: string): Promise<boolean>;
  /** Forgets the streak and the disable reason (a tenant re-enabled the endpoint). */
  reset(tenantId: string, webhookId: string): Promise<void>;
}
