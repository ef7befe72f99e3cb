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

describe('cursor', () => {
  it('round-trips a key and treats absent or empty cursors as the first page', () => {
    const cursor = encodeCursor({ sessionId: 's1', leaseUntil: 5 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, shape)).toEqual({ sessionId: 's1', leaseUntil: 5 });
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(encodeCursor({})).toBeUndefined();
    expect(decodeCursor(undefined, shape)).toBeUndefined();
    expect(decodeCursor('', shape)).toBeUndefined();
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['an array', b64(['s1', 5])],
    ['null', b64(null)],
    ['a missing attribute', b64({ sessionId: 's1' })],
    ['an extra attribute', b64({ sessionId: 's1', leaseUntil: 5, tenantId: 'x' })],
    ['a wrong type', b64({ sessionId: 's1', leaseUntil: '5' })],
    ['an empty key string', b64({ sessionId: '', leaseUntil: 5 })],
    ['another partition', b64({ sessionId: 's2', leaseUntil: 5 })],
    ['an oversize value', b64({ sessionId: 's1', leaseUntil: 5, pad: 'x'.repeat(3000) })],
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
