import { describe, expect, it } from 'vitest';
import { getHeader, parseJsonBody } from '../../../../../functions/http/middleware/json-body.js';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../../../shared/domain/index.js';
import { httpEvent } from '../http-event.js';

const json = { 'content-type': 'application/json' };

describe('parseJsonBody', () => {
  it('returns undefined for no body or an empty one, whatever the content type', () => {
    expect(parseJsonBody(httpEvent())).toBeUndefined();
    expect(parseJsonBody(httpEvent({ body: '', headers: { 'content-type': 'text/plain' } }))).toBeUndefined();
  });

  it('parses any JSON value, including non-objects (schemas decide what is allowed)', () => {
    expect(parseJsonBody(httpEvent({ body: '{"a":[1,null]}', headers: json }))).toEqual({ a: [1, null] });
    expect(parseJsonBody(httpEvent({ body: '"x"', headers: json }))).toBe('x');
    expect(parseJsonBody(httpEvent({ body: 'null', headers: json }))).toBeNull();
  });

  it('throws typed errors for malformed JSON, wrong content type and size', () => {
    expect(() => parseJsonBody(httpEvent({ body: '{a:1}', headers: json }))).toThrow(BadRequestError);
    expect(() =>
      parseJsonBody(httpEvent({ body: '{}', headers: { 'content-type': 'application/xml' } })),
    ).toThrow(UnsupportedMediaTypeError);
    expect(() =>
      parseJsonBody(httpEvent({ body: '{}', headers: { 'content-type': 'application/jsonp' } })),
    ).toThrow(UnsupportedMediaTypeError);
    expect(() =>
      parseJsonBody(httpEvent({ body: '[' + '1,'.repeat(100) + '1]', headers: json }), { maxBytes: 100 }),
    ).toThrow(PayloadTooLargeError);
  });

  it('refuses nesting past 32 levels before parsing, naming the top-level field, with no stack overflow', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const refusal = (body: string) => {
      try {
        parseJsonBody(httpEvent({ body, headers: json }));
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const metadata = refusal(`{"to":"+1","metadata":{"a":${deep(10_000)}}}`);
    expect(metadata).toBeInstanceOf(ValidationError);
    expect((metadata as ValidationError).errors).toEqual([
      { location: 'body', pointer: '/metadata', message: expect.stringContaining('deeper than 32 levels') },
    ]);
    // Brackets inside strings do not count; escaped quotes do not end a string; keys are decoded as pointers.
    expect(parseJsonBody(httpEvent({ body: `{"s":"${'['.repeat(100)}\\"[["}`, headers: json }))).toEqual({
      s: `${'['.repeat(100)}"[[`,
    });
    const named = refusal(`{"a\\/b":${deep(40)}}`) as ValidationError;
    expect(named.errors[0]?.pointer).toBe('/a~1b');
    expect((refusal(`[1,2,${deep(33)}]`) as ValidationError).errors[0]?.pointer).toBe('/2');
    expect(refusal(`{"a":${deep(31)}}`)).toBeUndefined();
  });

  it('measures size in bytes of the decoded body', () => {
    const body = JSON.stringify('€'.repeat(40)); // 42 chars, 122 bytes
    expect(() => parseJsonBody(httpEvent({ body, headers: json }), { maxBytes: 100 })).toThrow(
      PayloadTooLargeError,
    );
    expect(parseJsonBody(httpEvent({ body, headers: json }), { maxBytes: 200 })).toBe('€'.repeat(40));
  });

  it('reads headers case-insensitively', () => {
    expect(getHeader(httpEvent({ headers: { 'Content-Type': 'application/json' } }), 'content-type')).toBe(
      'application/json',
    );
    expect(getHeader(httpEvent(), 'x-missing')).toBeUndefined();
  });
});
