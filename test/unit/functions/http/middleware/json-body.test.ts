import { describe, expect, it } from 'vitest';
import { getHeader, parseJsonBody } from '../../../../../functions/http/middleware/json-body.js';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
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
