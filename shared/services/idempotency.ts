/**
 * `Idempotency-Key` for sends (DESIGN.md section 4). The first request with a key claims it and fixes the
 * resulting message id; every retry with the same key and the same request gets that id back (and writes the
 * message with it, which `MessageRepository.create` makes a no-op), so racing retries converge on one message.
 * The same key with a different request is a 409.
 *
 * Why not Powertools' idempotency utility: it answers a retry that races the first request with an
 * "in progress" error, while here every concurrent retry can safely finish the same work (the message write is
 * idempotent on its id and ringing a host twice is harmless), so each gets the first request's response.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../domain/errors.js';

export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1-255 visible ASCII characters');

/** The `Idempotency-Key` header, validated (400 naming the header), or undefined when absent. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError([
      {
        location: 'header',
        field: 'Idempotency-Key',
        message: parsed.error.issues[0]?.message ?? 'invalid',
      },
    ]);
  }
  return parsed.data;
}

/** JSON with sorted object keys, so `{a,b}` and `{b,a}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of what makes two requests "the same": the target and the parsed body. */
export function requestFingerprint(target: string, body: unknown): string {
  return createHash('sha256').update(target).update('\n').update(canonicalJson(body)).digest('hex');
}
