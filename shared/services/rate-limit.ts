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
   * Counts one hit in `bucket` for the window, unless the window already holds `limit` hits. Returns whether
   * the hit was counted. Must be atomic across concurrent callers.
   */
  hit(bucket: string, limit: number, window: RateWindow): Promise<boolean>;
}

/** Counter buckets; tenant-prefixed so no tenant can touch another's counter. */
export const apiRequestsBucket = (tenantId: string): string => `${tenantId}#api`;
export const sessionSendsBucket = (tenantId: string, sessionId: string): string =>
  `${tenantId}#send#${sessionId}`;

/** Counts the hit or throws a 429 whose `Retry-After` is the time left in the window. */
export async function enforceRateLimit(
  counter: RateLimitCounter,
  bucket: string,
  limit: number,
  what: string,
  now: number = Date.now(),
): Promise<void> {
  const window = fixedWindow(now);
  if (await counter.hit(bucket, limit, window)) return;
  const retryAfterSeconds = (window.resetAt - now) / 1000;
  throw new RateLimitedError(
    retryAfterSeconds,
    `${what}: limit of ${limit} per minute reached; retry after ${Math.max(1, Math.ceil(retryAfterSeconds))} s`,
  );
}
