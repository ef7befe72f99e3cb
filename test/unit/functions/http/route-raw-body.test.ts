import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { BinaryResponse, httpRoute } from '../../../../functions/http/route.js';
import { PROBLEM_TYPE_BASE, UnauthorizedError } from '../../../../shared/domain/index.js';
import { headerOf, httpEvent, jsonOf, lambdaContext } from './http-event.js';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

type Problem = { type: string; detail: string; errors?: { location: string; field?: string }[] };

function uploadRoute(options: { maxBytes?: number | (() => number); allow?: boolean } = {}) {
  return httpRoute({
    logger,
    authorize: () => {
      if (options.allow === false) throw new UnauthorizedError();
      return { tenantId: 'T1' };
    },
    rawBody: { maxBytes: options.maxBytes ?? 1024, tooLargeHint: 'Send it by URL.' },
    handler: ({ body, auth }) => ({
      tenant: auth.tenantId,
      contentType: body.contentType,
      base64: body.bytes.toString('base64'),
    }),
  });
}

function post(body: Buffer | string | undefined, contentType?: string, base64 = true) {
  return httpEvent({
    method: 'POST',
    path: '/v1/media',
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    ...(body === undefined
      ? {}
      : typeof body === 'string'
        ? { body, isBase64Encoded: false }
        : { body: body.toString('base64'), isBase64Encoded: base64 }),
  });
}

const problemType = (slug: string) => `${PROBLEM_TYPE_BASE}${slug}`;

describe('httpRoute: rawBody', () => {
  it('hands the exact bytes (base64 decoded) and the media type to the handler', async () => {
    const result = await uploadRoute()(post(EVERY_BYTE, 'image/png'), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(jsonOf(result)).toEqual({
      tenant: 'T1',
      contentType: 'image/png',
      base64: EVERY_BYTE.toString('base64'),
    });
  });

  it('takes a text body as UTF-8 and drops Content-Type parameters, lower-cased', async () => {
    const result = await uploadRoute()(post('olá', 'Text/Plain; charset=UTF-8'), lambdaContext());
    expect(jsonOf(result)).toMatchObject({
      contentType: 'text/plain',
      base64: Buffer.from('olá', 'utf8').toString('base64'),
    });
  });

  it('authorizes first: a refused caller gets the 401, not the 415 of a JSON body', async () => {
    const result = await uploadRoute({ allow: false })(post('{}', 'application/json'), lambdaContext());
    expect(result.statusCode).toBe(401);
  });

  it('reads a limit given as a function only after authorize, per request', async () => {
    const limit = vi.fn(() => 4);
    await uploadRoute({ maxBytes: limit, allow: false })(post(EVERY_BYTE, 'image/png'), lambdaContext());
    expect(limit).not.toHaveBeenCalled();
    const result = await uploadRoute({ maxBytes: limit })(post(EVERY_BYTE, 'image/png'), lambdaContext());
    expect(limit).toHaveBeenCalledOnce();
    expect(result.statusCode).toBe(413);
  });

  it('a body over the limit is a 413 naming the limit (and the hint); exactly the limit passes', async () => {
    const over = await uploadRoute({ maxBytes: 255 })(post(EVERY_BYTE, 'image/png'), lambdaContext());
    expect(over.statusCode).toBe(413);
    const problem = jsonOf(over) as Problem;
    expect(problem.type).toBe(problemType('payload-too-large'));
    expect(problem.detail).toBe('The request body is 256 bytes; the limit is 255 bytes. Send it by URL.');
    const exact = await uploadRoute({ maxBytes: 256 })(post(EVERY_BYTE, 'image/png'), lambdaContext());
    expect(exact.statusCode).toBe(200);
  });

  it.each([
    'application/json',
    'application/problem+json; charset=utf-8',
    'multipart/form-data; boundary=x',
    'MULTIPART/MIXED',
    'application/x-www-form-urlencoded',
  ])('refuses %s with a 415 naming Content-Type', async (contentType) => {
    const result = await uploadRoute()(post(EVERY_BYTE, contentType), lambdaContext());
    expect(result.statusCode).toBe(415);
    const problem = jsonOf(result) as Problem;
    expect(problem.type).toBe(problemType('unsupported-media-type'));
    expect(problem.detail).toContain('Content-Type');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no subtype', 'image'],
    ['a wildcard', '*/*'],
  ])('a %s Content-Type is a 400 naming the header', async (_what, contentType) => {
    const result = await uploadRoute()(post(EVERY_BYTE, contentType), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect((jsonOf(result) as Problem).errors).toEqual([
      expect.objectContaining({ location: 'header', field: 'Content-Type' }),
    ]);
  });

  it('an empty or absent body is a 400; broken base64 a 400', async () => {
    for (const event of [post(undefined, 'image/png'), post(Buffer.alloc(0), 'image/png')]) {
      const result = await uploadRoute()(event, lambdaContext());
      expect(result.statusCode).toBe(400);
      expect((jsonOf(result) as Problem).detail).toMatch(/empty/);
    }
    const broken = { ...post(EVERY_BYTE, 'image/png'), body: '%%%' };
    expect((await uploadRoute()(broken, lambdaContext())).statusCode).toBe(400);
  });

  it('cannot be combined with a body schema', () => {
    expect(() =>
      httpRoute({ rawBody: { maxBytes: 1 }, body: z.object({}), handler: () => undefined }),
    ).toThrow(TypeError);
  });
});

describe('BinaryResponse headers', () => {
  it('adds to and overrides the defaults', async () => {
    const result = await httpRoute({
      handler: () =>
        new BinaryResponse('text/html', Buffer.from('<b>x</b>'), 200, {
          'cache-control': 'private, max-age=300',
          'content-disposition': 'attachment',
        }),
    })(httpEvent(), lambdaContext());
    expect(headerOf(result, 'content-type')).toBe('text/html');
    expect(headerOf(result, 'cache-control')).toBe('private, max-age=300');
    expect(headerOf(result, 'content-disposition')).toBe('attachment');
    expect(result.isBase64Encoded).toBe(true);
  });
});
