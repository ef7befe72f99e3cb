import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../../shared/domain/errors.js';
import { slidingWindow, type RateWindow } from '../../../../shared/domain/rate-window.js';
import type { RateHit, RateLimitCounter } from '../../../../shared/ports/rate-limit-counter.js';
import { apiRequestsBucket, enforceRateLimit, sessionSendsBucket } from '../../../../shared/services/rate-limit.js';

/** An in-memory counter with the adapter's contract: a running total per slice, counted up to the limit. */
class MemoryCounter implements RateLimitCounter {
  readonly totals = new Map<string, number>();
  async hit(bucket: string, limit: number, window: RateWindow): Promise<RateHit> {
    const ahead = Array.from({ length: window.lookback + 1 }, (_, i) => `${bucket}#${window.slice + i}`);
    const read = () => ahead.map((key) => this.totals.get(key) ?? 0);
    if ((this.totals.get(ahead[0]!) ?? 0) >= limit) return { counted: false, totals: read() };
    for (const key of ahead) this.totals.set(key, (this.totals.get(key) ?? 0) + 1);
    return { counted: true, totals: read() };
  }
}

describe('slidingWindow', () => {
  it('cuts the minute into six slices of ten seconds', () => {
    expect(slidingWindow(120_000)).toEqual({ slice: 12, sliceMs: 10_000, lookback: 6 });
    expect(slidingWindow(129_999).slice).toBe(12);
    expect(slidingWindow(130_000).slice).toBe(13);
  });
});

describe('enforceRateLimit', () => {
  it('lets `limit` hits through, then a 429 whose Retry-After is when the oldest hits leave the window', async () => {
    const counter = new MemoryCounter();
    const now = 60_000 * 10 + 45_500; // 45.5 s into a minute
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await enforceRateLimit(counter, 'b', 3, 'Sends', now));
    expect(statuses.map((s) => s.remaining)).toEqual([2, 1, 0]);
    // The hits leave the window 60-70 s later, at the start of the seventh slice after theirs.
    expect(statuses[0]).toEqual({ limit: 3, remaining: 2, resetSeconds: 65 });
    const error = await enforceRateLimit(counter, 'b', 3, 'Sends', now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).status).toBe(429);
    expect((error as RateLimitedError).headers()).toEqual({ 'Retry-After': '65' });
    expect((error as RateLimitedError).detail).toContain('limit of 3 per minute');
    // Still full a minute later (the window looks back a full minute at least); free once they left.
    await expect(enforceRateLimit(counter, 'b', 3, 'Sends', now + 60_000)).rejects.toThrow(RateLimitedError);
    await expect(enforceRateLimit(counter, 'b', 3, 'Sends', now + 65_000)).resolves.toMatchObject({
      remaining: 2,
    });
  });

  it('allows no burst across a minute boundary: the limit holds for any 60 s span', async () => {
    const counter = new MemoryCounter();
    const edge = 60_000 * 20;
    for (let i = 0; i < 5; i += 1) await enforceRateLimit(counter, 'b', 5, 'x', edge - 100);
    // A fixed window would open a fresh minute here and let five more through.
    const error = (await enforceRateLimit(counter, 'b', 5, 'x', edge + 100).catch(
      (e: unknown) => e,
    )) as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfterSeconds).toBe(60);
    // Hits spread over the minute leave one by one.
    const spread = new MemoryCounter();
    for (let i = 0; i < 5; i += 1) await enforceRateLimit(spread, 's', 5, 'x', edge + i * 10_000);
    await expect(enforceRateLimit(spread, 's', 5, 'x', edge + 55_000)).rejects.toThrow(RateLimitedError);
    await expect(enforceRateLimit(spread, 's', 5, 'x', edge + 70_000)).resolves.toMatchObject({
      remaining: 0,
    });
  });

  it('never asks to wait less than a second', async () => {
    const counter = new MemoryCounter();
    await enforceRateLimit(counter, 'b', 1, 'x', 300_000);
    // 10 ms before that hit leaves the window.
    const error = (await enforceRateLimit(counter, 'b', 1, 'x', 370_000 - 10).catch(
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
