/**
 * Per-tenant rate limits over a sliding one-minute window (DESIGN.md section 4; limits in
 * `shared/domain/tenant.ts`): the whole API per tenant (`requestsPerMinute`) and sends per session
 * (`sendsPerMinute`, because WhatsApp watches each account's pace).
 *
 * The window is cut into slices of ten seconds. A hit in slice k is let through when the slices k-6..k (the
 * current one and the six before it, so always at least a full minute back) hold fewer than `limit` hits. So
 * no span of 60 s ever holds more than `limit` hits: no burst of twice the limit across a window edge, which a
 * fixed window allowed. The counter keeps, per bucket, one running total per slice, each counting the hits of
 * the slices it looks back on; a hit adds one to the totals of its own slice and the six after it, all in one
 * conditional write (`RateLimitCounter`).
 */
import { RateLimitedError } from '../domain/errors.js';
import { sliceStart, slidingWindow, type RateWindow } from '../domain/rate-window.js';
import type { RateHit, RateLimitCounter } from '../ports/rate-limit-counter.js';

/** Where a caller stands in the current window after a counted hit. */
export interface RateLimitStatus {
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the window next frees a place, as the oldest counted hits leave (at least 1). */
  readonly resetSeconds: number;
}

/**
 * The status as response headers, named as in the IETF RateLimit header fields draft (`RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` in seconds), so a client can pace itself before it meets a 429.
 */
export function rateLimitHeaders(status: RateLimitStatus): Record<string, string> {
  return {
    'ratelimit-limit': String(status.limit),
    'ratelimit-remaining': String(status.remaining),
    'ratelimit-reset': String(status.resetSeconds),
  };
}

/** Counter buckets; tenant-prefixed so no tenant can touch another's counter. */
export const apiRequestsBucket = (tenantId: string): string => `${tenantId}#api`;
export const sessionSendsBucket = (tenantId: string, sessionId: string): string =>
  `${tenantId}#send#${sessionId}`;

/** Seconds from `now` to the first slice whose total is below `threshold` (at least 1). */
function secondsUntil(hit: RateHit, threshold: number, window: RateWindow, now: number): number {
  let offset = hit.totals.findIndex((total, i) => i > 0 && total < threshold);
  // Past the last total every hit known so far has left the window.
  if (offset === -1) offset = hit.totals.length;
  return Math.max(1, Math.ceil((sliceStart(window, offset) - now) / 1000));
}

/**
 * Counts the hit and says where the caller stands, or throws a 429 whose `Retry-After` is the time until the
 * window next has room (when the oldest hits that fill it leave).
 */
export async function enforceRateLimit(
  counter: RateLimitCounter,
  bucket: string,
  limit: number,
  what: string,
  now: number = Date.now(),
): Promise<RateLimitStatus> {
  const window = slidingWindow(now);
  const hit = await counter.hit(bucket, limit, window);
  if (hit.counted) {
    const used = hit.totals[0] ?? limit;
    // When the window next frees a place: the first slice where the total drops.
    return {
      limit,
      remaining: Math.max(0, limit - used),
      resetSeconds: secondsUntil(hit, used, window, now),
    };
  }
  throw rateLimitedBy(hit, limit, window, what, now);
}

/** The 429 of a hit the window refused: `Retry-After` is the time until the oldest hits that fill it leave. */
export function rateLimitedBy(
  hit: RateHit,
  limit: number,
  window: RateWindow,
  what: string,
  now: number,
): RateLimitedError {
  const retryAfterSeconds = secondsUntil(hit, limit, window, now);
  return new RateLimitedError(
    retryAfterSeconds,
    `${what}: limit of ${limit} per minute reached; retry after ${retryAfterSeconds} s`,
  );
}
