/** Where rate-limit hits are counted (shared/services/rate-limit.ts has the rules). */
import type { RateWindow } from '../domain/rate-window.js';

export interface RateHit {
  /** Whether this hit was counted (false: the window already held `limit` hits). */
  readonly counted: boolean;
  /**
   * The window's total as it will stand in the current slice and each of the `lookback` slices after it,
   * counting the hits known so far (this one included when counted): `totals[0]` is the window now.
   */
  readonly totals: readonly number[];
}

export interface RateLimitCounter {
  /** Counts one hit in `bucket` unless the window already holds `limit` hits. Atomic across callers. */
  hit(bucket: string, limit: number, window: RateWindow): Promise<RateHit>;
}
