import { describe, expect, it } from 'vitest';
import { forEachBounded, mapBounded } from '../../../session-host/bounded-pool.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe('forEachBounded', () => {
  it('never has more than `limit` calls in flight, starts items in order and runs each once', async () => {
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    await forEachBounded(
      Array.from({ length: 25 }, (_, i) => i),
      4,
      async (item) => {
        started.push(item);
        peak = Math.max(peak, ++active);
        await tick();
        active--;
      },
    );
    expect(peak).toBe(4);
    expect(started).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('handles an empty list and a limit above the length', async () => {
    await forEachBounded([], 8, () => Promise.reject(new Error('never called')));
    expect(await mapBounded([1, 2], 8, async (n) => n * 10)).toEqual([10, 20]);
  });

  it('keeps results in input order whatever order they finish in', async () => {
    const out = await mapBounded([30, 1, 15, 2], 2, async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      return ms;
    });
    expect(out).toEqual([30, 1, 15, 2]);
  });
});
