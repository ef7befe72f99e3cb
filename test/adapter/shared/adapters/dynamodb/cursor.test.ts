import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  type CursorShape,
} from '../../../../../shared/adapters/dynamodb/cursor.js';
import { ValidationError } from '../../../../../shared/domain/errors.js';

const shape: CursorShape = {
  attributes: [
    { name: 'sessionId', type: 'S' },
    { name: 'leaseUntil', type: 'N' },
  ],
  fixed: { sessionId: 's1' },
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A validly sealed cursor for any key: what the checks behind the seal see if the secret ever leaked. */
const sealed = (key: Record<string, unknown>) => encodeCursor(key, shape)!;
const genuine = sealed({ sessionId: 's1', leaseUntil: 5 });
const [genuinePayload = '', genuineMac = ''] = genuine.split('.');

describe('cursor', () => {
  it('round-trips a key and treats absent or empty cursors as the first page', () => {
    const cursor = encodeCursor({ sessionId: 's1', leaseUntil: 5 }, shape);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, shape)).toEqual({ sessionId: 's1', leaseUntil: 5 });
    expect(encodeCursor(undefined, shape)).toBeUndefined();
    expect(encodeCursor({}, shape)).toBeUndefined();
    expect(decodeCursor(undefined, shape)).toBeUndefined();
    expect(decodeCursor('', shape)).toBeUndefined();
    // With a configured secret, only that secret opens it.
    const withSecret = encodeCursor({ sessionId: 's1', leaseUntil: 5 }, shape, 'x'.repeat(32));
    expect(decodeCursor(withSecret, shape, 'x'.repeat(32))).toEqual({ sessionId: 's1', leaseUntil: 5 });
  });

  it.each([
    ['not base64url', 'a+b/c=.x'],
    ['no seal', genuinePayload],
    ['not JSON', `${Buffer.from('{oops').toString('base64url')}.${genuineMac}`],
    ['an edited key under the old seal', `${b64({ sessionId: 's1', leaseUntil: 6 })}.${genuineMac}`],
    ['a seal made without the key', `${genuinePayload}.${'A'.repeat(22)}`],
    [
      'a cursor of another list',
      encodeCursor({ sessionId: 's1', leaseUntil: 5 }, { ...shape, binding: { list: 'x' } })!,
    ],
    [
      'a cursor of another tenant',
      encodeCursor({ sessionId: 's1', leaseUntil: 5 }, { ...shape, binding: { tenantId: 't2' } })!,
    ],
    [
      'a cursor sealed with another secret',
      encodeCursor({ sessionId: 's1', leaseUntil: 5 }, shape, 'y'.repeat(32))!,
    ],
    ['a missing attribute', sealed({ sessionId: 's1' })],
    ['an extra attribute', sealed({ sessionId: 's1', leaseUntil: 5, tenantId: 'x' })],
    ['a wrong type', sealed({ sessionId: 's1', leaseUntil: '5' })],
    ['an empty key string', sealed({ sessionId: '', leaseUntil: 5 })],
    ['another partition', sealed({ sessionId: 's2', leaseUntil: 5 })],
    ['an oversize value', sealed({ sessionId: 's1', leaseUntil: 5, pad: 'x'.repeat(3000) })],
  ])('refuses %s with a ValidationError naming the cursor', (_label, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor, shape);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).errors[0]).toMatchObject({ location: 'query', field: 'cursor' });
    expect((thrown as ValidationError).status).toBe(400);
  });
});
