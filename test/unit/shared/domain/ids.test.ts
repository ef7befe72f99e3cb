import { describe, expect, it } from 'vitest';
import { IdSchema, TimestampSchema, isId, newId, nowIso } from '../../../../shared/domain/index.js';
import { pooledRandomFraction } from '../../../../shared/domain/ids.js';

describe('ids', () => {
  it('makes plain, valid, unique ULIDs', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(IdSchema.safeParse(id).success).toBe(true);
    expect(ids[0]).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('draws the random part from the pooled bytes across refills: every character, none stuck', () => {
    // 20,000 ids in distinct milliseconds, each later than any id made so far (an earlier millisecond would only
    // increment the last random part): 320,000 random characters, ~78 pool refills.
    const counts = new Map<string, number>();
    const later = Date.now() + 1_000_000_000;
    for (let i = 0; i < 20_000; i++) {
      for (const char of newId(later + i).slice(10)) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(counts.size).toBe(32);
    // Uniform: 10,000 of each expected; a stuck or biased pool would be far off.
    for (const [char, n] of counts) {
      expect(n, char).toBeGreaterThan(9_000);
      expect(n, char).toBeLessThan(11_000);
    }
    const fractions = Array.from({ length: 10_000 }, () => pooledRandomFraction());
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...fractions)).toBeLessThan(1);
  });

  it('sorts ids made in the same millisecond in creation order', () => {
    const now = Date.now();
    const ids = Array.from({ length: 50 }, () => newId(now));
    expect([...ids].sort()).toEqual(ids);
  });

  it.each([
    ['lower case', '01arz3ndektsv4rrffq69g5fav'],
    ['too short', '01ARZ3NDEKTSV4RRFFQ69G5FA'],
    ['excluded letter I', '01ARZ3NDEKTSV4RRFFQ69G5FAI'],
    ['timestamp overflow', '81ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['prefixed', 'ses_01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  ])('refuses an id that is %s', (_label, value) => {
    expect(IdSchema.safeParse(value).success).toBe(false);
    expect(isId(value)).toBe(false);
  });

  it('accepts a canonical ULID and refuses non-strings', () => {
    expect(isId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(IdSchema.safeParse(42).success).toBe(false);
  });

  it('timestamps are UTC ISO with milliseconds', () => {
    expect(TimestampSchema.safeParse(nowIso()).success).toBe(true);
    expect(nowIso(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(TimestampSchema.safeParse('2026-01-01T00:00:00+02:00').success).toBe(false);
    expect(TimestampSchema.safeParse('2026-01-01').success).toBe(false);
  });
});
