/**
 * Opaque pagination cursors. A cursor is DynamoDB's `LastEvaluatedKey`, JSON then base64url, so clients cannot
 * depend on its shape. Decoding validates it against the query it is handed back to: exactly the expected key
 * attributes, each of the expected type, and the query's own partition value. That last check matters for
 * isolation: a cursor edited to name another tenant's partition is refused before it reaches DynamoDB (which
 * would otherwise answer with an opaque 500-style error, or worse, a page of someone else's data).
 */
import { ValidationError } from '../../domain/errors.js';
import type { KeyAttribute } from '../../definitions/tables.js';

export type KeyValue = string | number;
export type CursorKey = Record<string, KeyValue>;

export interface CursorShape {
  /** Every attribute of the key DynamoDB returns: the table's keys plus, for a GSI query, the index's keys. */
  readonly attributes: readonly KeyAttribute[];
  /** Attributes whose value is fixed by the query (its partition key): the cursor must carry the same value. */
  readonly fixed?: Readonly<Record<string, KeyValue>>;
}

/** Cursors are small (a handful of short keys); anything longer is not one of ours. */
const MAX_CURSOR_LENGTH = 2048;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key || Object.keys(key).length === 0) return undefined;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, shape: CursorShape): CursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () =>
    new ValidationError([
      { location: 'query', field: 'cursor', message: 'not a cursor returned by this list' },
    ]);
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
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
