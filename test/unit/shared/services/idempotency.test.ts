import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../shared/domain/errors.js';
import { parseIdempotencyKey, requestFingerprint } from '../../../../shared/services/idempotency.js';

describe('parseIdempotencyKey', () => {
  it('accepts 1-255 visible ASCII characters and absence', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('order-42:attempt')).toBe('order-42:attempt');
    expect(parseIdempotencyKey('x'.repeat(255))).toHaveLength(255);
  });

  it.each(['', 'x'.repeat(256), 'has space', 'tab\t', 'ünï'])(
    'refuses %j with a 400 naming the header',
    (key) => {
      const error = (() => {
        try {
          parseIdempotencyKey(key);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors[0]).toMatchObject({
        location: 'header',
        field: 'Idempotency-Key',
      });
    },
  );
});

describe('requestFingerprint', () => {
  const body = { to: '+15551234567', type: 'text', text: { body: 'hi' }, metadata: { a: 1, b: [1, 2] } };

  it('is the same for the same request whatever the key order', () => {
    const reordered = {
      metadata: { b: [1, 2], a: 1 },
      text: { body: 'hi' },
      type: 'text',
      to: '+15551234567',
    };
    expect(requestFingerprint('POST /s/1', body)).toBe(requestFingerprint('POST /s/1', reordered));
  });

  it('differs for another body, another target, or another array order', () => {
    const base = requestFingerprint('POST /s/1', body);
    expect(requestFingerprint('POST /s/2', body)).not.toBe(base);
    expect(requestFingerprint('POST /s/1', { ...body, text: { body: 'hi!' } })).not.toBe(base);
    expect(requestFingerprint('POST /s/1', { ...body, metadata: { a: 1, b: [2, 1] } })).not.toBe(base);
  });
});
