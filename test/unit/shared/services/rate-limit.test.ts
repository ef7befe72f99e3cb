import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../../shared/domain/errors.js';
import {
  apiRequestsBucket,
  enforceRateLimit,
  fixedWindow,
  sessionSendsBucket,
  type RateLimitCounter,
  type RateWindow,
} from '../../../../shared/services/rate-limit.js';

/** An in-memory counter with the adapter's contract: counts up to the limit, atomically. */
class MemoryCounter implements RateLimitCounter {
  readonly hits = new Map<string, number>();
  async hit(bucket: string, limit: number, window: RateWindow): Promise<number | null> {
    const key = `${bucket}#${window.start}`;
    const count = this.hits.get(key) ?? 0;
    if (count >= limit) return null;
    this.hits.set(key, count + 1);
    return count + 1;
  }
}

describe('fixedWindow', () => {
  it('aligns windows to the minute', () => {
    expect(fixedWindow(120_000)).toEqual({ start: 120_000, resetAt: 180_000 });
    expect(fixedWindow(179_999)).toEqual({ start: 120_000, resetAt: 180_000 });
    expect(fixedWindow(180_000).start).toBe(180_000);
  });
});

describe('enforceRateLimit', () => {
  it('lets `limit` hits through per window, then throws a 429 with the time left as Retry-After', async () => {
    const counter = new MemoryCounter();
    const now = 60_000 * 10 + 45_500; // 45.5 s into a window
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await enforceRateLimit(counter, 'b', 3, 'Sends', now));
    expect(statuses.map((s) => s.remaining)).toEqual([2, 1, 0]);
    expect(statuses[0]).toEqual({ limit: 3, remaining: 2, resetSeconds: 15 });
    const error = await enforceRateLimit(counter, 'b', 3, 'Sends', now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).status).toBe(429);
    expect((error as RateLimitedError).headers()).toEqual({ 'Retry-After': '15' });
    expect((error as RateLimitedError).detail).toContain('limit of 3 per minute');
    // The next window starts fresh.
    await expect(enforceRateLimit(counter, 'b', 3, 'Sends', now + 15_000)).resolves.toMatchObject({
      remaining: 2,
      resetSeconds: 60,
    });
  });

  it('never asks to wait less than a second', async () => {
    const counter = new MemoryCounter();
    const now = 60_000 * 5 - 10; // 10 ms before the window ends
    await enforceRateLimit(counter, 'b', 1, 'x', now);
    const error = (await enforceRateLimit(counter, 'b', 1, 'x', now).catch(
      (e: unknown) => e,
    )) as RateLimitedError;
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('buckets are per tenant, and sends per session', () => {
    expect(apiRequestsBucket('T1')).not.toBe(apiRequestsBucket('T2'));
    expect(sessionSendsBucket('T1', 'S1')).not.toBe(sessionSendsBucket('T1', 'S2'));
    expect(sessionSendsBucket('T1', 'S1').startsWith('T1#')).toBe(true);
  });
});
