/**
 * Per-tenant rate limits as fixed one-minute windows (DESIGN.md section 4; limits in `shared/domain/tenant.ts`):
 * the whole API per tenant (`requestsPerMinute`) and sends per session (`sendsPerMinute`, because WhatsApp
 * watches each account's pace). A fixed window lets a client burst up to twice the limit across a window edge;
 * that is accepted in exchange for one conditional write per request.
 */
import { RateLimitedError } from '../domain/errors.js';

export const RATE_WINDOW_MS = 60_000;

export interface RateWindow {
  /** Epoch ms of the window's start: part of the counter's key. */
  readonly start: number;
  /** Epoch ms when the next window opens. */
  readonly resetAt: number;
}

export function fixedWindow(now: number, windowMs: number = RATE_WINDOW_MS): RateWindow {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, resetAt: start + windowMs };
}

export interface RateLimitCounter {
  /**
   * Counts one hit in `bucket` for the window, unless the window already holds `limit` hits. Returns the
   * window's hits including this one, or `null` when it was not counted. Atomic across concurrent callers.
   */
  hit(bucket: string, limit: number, window: RateWindow): Promise<number | null>;
}

/** Where a caller stands in the current window after a counted hit. */
export interface RateLimitStatus {
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the window resets (at least 1). */
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

/** Counts the hit and says where the caller stands, or throws a 429 whose `Retry-After` is the time left. */
export async function enforceRateLimit(
  counter: RateLimitCounter,
  bucket: string,
  limit: number,
  what: string,
  now: number = Date.now(),
): Promise<RateLimitStatus> {
  const window = fixedWindow(now);
  const hits = await counter.hit(bucket, limit, window);
  const retryAfterSeconds = (window.resetAt - now) / 1000;
  const resetSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  if (hits !== null) return { limit, remaining: Math.max(0, limit - hits), resetSeconds };
  throw new RateLimitedError(
    retryAfterSeconds,
    `${what}: limit of ${limit} per minute reached; retry after ${resetSeconds} s`,
  );
}
