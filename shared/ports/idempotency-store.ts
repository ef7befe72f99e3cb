/** Where `Idempotency-Key` claims are kept (shared/services/idempotency.ts has the rules). */
import { ConflictError } from '../domain/errors.js';

/** Keys are kept a day, like Stripe's: long enough for any client retry loop. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface IdempotencyClaim {
  /** Tenant-scoped so two tenants may use the same key. */
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  /** The id this request will use if it is the first. */
  readonly candidateId: string;
  readonly now: number;
}

export interface IdempotencyStore {
  /**
   * Returns the result id for this key: the candidate when this request is first, otherwise the first
   * request's. `ConflictError` when the key was used with a different fingerprint.
   */
  claim(claim: IdempotencyClaim): Promise<string>;
}

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('This Idempotency-Key was already used with a different request; use a new key for a new request');
  }
}
