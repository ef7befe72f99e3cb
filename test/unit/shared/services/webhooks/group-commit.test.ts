/** Group commit: what is asked together shares one flush, and nobody waits for a batch they are not in. */
import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../../../../shared/services/webhooks/group-commit.js';

describe('groupCommit', () => {
  it('flushes the calls of one turn together, and calls made during a flush in the next one', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const firstFlushHeld = new Promise<void>((resolve) => (release = resolve));
    const double = groupCommit<number, number>(async (inputs) => {
      flushes.push([...inputs]);
      if (flushes.length === 1) await firstFlushHeld;
      return inputs.map((n) => n * 2);
    }, 100);

    const first = [1, 2, 3].map(double);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toEqual([[1, 2, 3]]);
    const later = [4, 5].map(double);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toHaveLength(1);

    release();
    expect(await Promise.all(first)).toEqual([2, 4, 6]);
    expect(await Promise.all(later)).toEqual([8, 10]);
    expect(flushes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('splits at maxBatch and fails only the calls of a failed flush', async () => {
    const flushes: string[][] = [];
    const write = groupCommit<string, string>(async (inputs) => {
      flushes.push([...inputs]);
      if (inputs.includes('bad')) throw new Error('write failed');
      return inputs.map((s) => s.toUpperCase());
    }, 2);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map(write));
    expect(flushes).toEqual([['a', 'bad'], ['c']]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await write('alone')).toBe('ALONE');
  });
});
