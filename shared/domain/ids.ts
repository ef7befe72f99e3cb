import { monotonicFactory } from 'ulid';
import * as z from 'zod';

/**
 * Canonical ULID: 26 Crockford base32 characters, upper case. Lower case is refused (although Crockford allows
 * it) because ids are DynamoDB keys, where `01abc` and `01ABC` would be two different items.
 * The first character is at most 7, so the 48-bit timestamp cannot overflow.
 */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const IdSchema = z
  .string()
  .regex(ULID_PATTERN, 'must be a ULID (26 upper-case Crockford base32 characters)');
export type Id = z.infer<typeof IdSchema>;

/**
 * Random bytes for ids from a pool the OS refills 4 KiB at a time (Web Crypto's `getRandomValues`: the domain is
 * also bundled into the browser console, where `node:crypto` does not exist). ulid's own PRNG asks the OS for one byte per
 * character (16 calls per id, each allocating), which a profile of the session host put at ~2 % of its CPU per sent
 * message (several ids a send: events, outbox items). The bytes are the same crypto-strong ones, fewer calls.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;

/** A fraction in [0, 1) from one random byte, as ulid's own PRNG makes it (32 characters: the top 5 bits). */
export function pooledRandomFraction(): number {
  if (poolAt >= POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  return pool[poolAt++]! / 256;
}

// Monotonic so ids made in the same millisecond still sort in creation order (message history relies on it).
const nextUlid = monotonicFactory(pooledRandomFraction);

/** A new plain ULID (no type prefix: the route or field says what it identifies). */
export function newId(now: number = Date.now()): Id {
  return nextUlid(now);
}

export function isId(value: unknown): value is Id {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}

/** ISO-8601 UTC timestamp with milliseconds, as produced by `Date.prototype.toISOString`. */
export const TimestampSchema = z.iso.datetime({ offset: false, precision: 3 });
export type Timestamp = z.infer<typeof TimestampSchema>;

export function nowIso(now: Date = new Date()): Timestamp {
  return now.toISOString();
}
