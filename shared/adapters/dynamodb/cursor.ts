/**
 * Opaque pagination cursors, sealed and bound to their list. A cursor is DynamoDB's `LastEvaluatedKey` as JSON,
 * base64url, then `.` and an HMAC-SHA256 (truncated to 128 bits) over that key and the list's binding: its table
 * and index, its order, the values that fix its partition (tenant, session, webhook) and whatever else filters it
 * (`CursorShape.binding`). So a cursor of another tenant's list, of another list, or of the same list with
 * another filter or order is a 400, and so is any edit of the key.
 *
 * The HMAC key is `APP_CURSOR_SECRET` when configured. Without it a fixed public key stands in: the binding is
 * still checked (a foreign cursor is still refused), but a client could then forge a cursor for its own list.
 * That is tolerable because decoding also validates the key against the query it is handed to: exactly the
 * expected key attributes, each of the expected type, and the query's own partition value. A forged cursor can
 * thus only start a page somewhere in the caller's own partition, which it may read anyway; it never reaches
 * another tenant's partition nor makes DynamoDB fail with a 500.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../domain/errors.js';
import type { KeyAttribute } from '../../definitions/tables.js';

export type KeyValue = string | number;
export type CursorKey = Record<string, KeyValue>;

export interface CursorShape {
  /** Every attribute of the key DynamoDB returns: the table's keys plus, for a GSI query, the index's keys. */
  readonly attributes: readonly KeyAttribute[];
  /** Attributes whose value is fixed by the query (its partition key): the cursor must carry the same value. */
  readonly fixed?: Readonly<Record<string, KeyValue>>;
  /** What else the list is bound to (its name, tenant, filter, order): a cursor of another binding is refused. */
  readonly binding?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Stands in when no `APP_CURSOR_SECRET` is configured (local mode); see the module comment for what remains. */
const UNCONFIGURED_SECRET = 'wa-platform cursor binding (no secret configured)';
const MAC_BYTES = 16;

function macOf(payload: string, shape: CursorShape, secret: string | undefined): Buffer {
  const binding = JSON.stringify([
    shape.attributes.map((a) => a.name),
    Object.entries(shape.fixed ?? {}).sort(([a], [b]) => a.localeCompare(b)),
    Object.entries(shape.binding ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  ]);
  return createHmac('sha256', secret ?? UNCONFIGURED_SECRET)
    .update(binding)
    .update('\n')
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

/** Cursors are small (a handful of short keys); anything longer is not one of ours. */
const MAX_CURSOR_LENGTH = 2048;

export function encodeCursor(
  key: Record<string, unknown> | undefined,
  shape: CursorShape,
  secret?: string,
): string | undefined {
  if (!key || Object.keys(key).length === 0) return undefined;
  const payload = Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  return `${payload}.${macOf(payload, shape, secret).toString('base64url')}`;
}

export function decodeCursor(
  cursor: string | undefined,
  shape: CursorShape,
  secret?: string,
): CursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () =>
    new ValidationError([
      { location: 'query', field: 'cursor', message: 'not a cursor returned by this list' },
    ]);
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const [payload = '', mac = ''] = cursor.split('.');
  const given = Buffer.from(mac, 'base64url');
  const expectedMac = macOf(payload, shape, secret);
  // Checked before the payload is even parsed: an edited or foreign cursor tells nothing about why it failed.
  if (given.length !== expectedMac.length || !timingSafeEqual(given, expectedMac)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const record = parsed as Record<string, unknown>;
  const expected = new Set(shape.attributes.map((a) => a.name));
  if (Object.keys(record).length !== expected.size) throw invalid();
  const key: CursorKey = {};
  for (const attribute of shape.attributes) {
    const value = record[attribute.name];
    if (attribute.type === 'S' ? typeof value !== 'string' || value === '' : !Number.isFinite(value)) {
      throw invalid();
    }
    key[attribute.name] = value as KeyValue;
  }
  for (const [name, value] of Object.entries(shape.fixed ?? {})) {
    if (key[name] !== value) throw invalid();
  }
  return key;
}
