import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  type AuthorizedHttpEvent,
  HttpResponse,
  accepted,
  created,
  httpRoute,
  httpRouteFor,
  noContent,
} from '../../../../functions/http/route.js';
import {
  ConflictError,
  IdSchema,
  NotFoundError,
  PROBLEM_TYPE_BASE,
  RateLimitedError,
  SendMessageRequestSchema,
  newId,
} from '../../../../shared/domain/index.js';
import { headerOf, httpEvent, jsonOf, lambdaContext } from './http-event.js';

const sessionId = newId();
const path = `/v1/sessions/${sessionId}/messages`;
const routeKey = 'POST /v1/sessions/{sessionId}/messages';

function silentLogger() {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  return {
    logger,
    error: vi.spyOn(logger, 'error'),
    info: vi.spyOn(logger, 'info'),
    warn: vi.spyOn(logger, 'warn'),
  };
}

type Behaviour = (input: { body: z.infer<typeof SendMessageRequestSchema> }) => unknown;

/** A send-like route whose handler behaviour each test chooses. */
function sendRoute(behave: Behaviour = () => accepted({ id: newId(), status: 'queued' })) {
  const log = silentLogger();
  const handler = httpRoute({
    body: SendMessageRequestSchema,
    path: z.object({ sessionId: IdSchema }),
    query: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
    logger: log.logger,
    handler: (input) => behave(input),
  });
  return { handler, log };
}

function post(
  body: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return httpEvent({ method: 'POST', path, routeKey, headers, body, pathParameters: { sessionId } });
}

const problemType = (slug: string) => `${PROBLEM_TYPE_BASE}${slug}`;

describe('httpRoute: success', () => {
  it('passes typed, validated input to the handler and answers JSON', async () => {
    const seen = vi.fn();
    const { handler } = sendRoute((input) => {
      seen(input);
      return accepted({ id: 'x', status: 'queued' });
    });
    const event = post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'hi' } }));
    event.queryStringParameters = { dryRun: 'true' };
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(headerOf(result, 'content-type')).toBe('application/json; charset=utf-8');
    expect(headerOf(result, 'cache-control')).toBe('no-store');
    expect(jsonOf(result)).toEqual({ id: 'x', status: 'queued' });
    expect(seen.mock.calls[0]?.[0]).toMatchObject({
      body: { to: '+15551234567', type: 'text', text: { body: 'hi' } },
      path: { sessionId },
      query: { dryRun: 'true' },
    });
  });

  it('reads base64-encoded bodies', async () => {
    const { handler } = sendRoute(({ body }) => ({ echoed: body }));
    const raw = JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'olá 👋' } });
    const event = post(Buffer.from(raw, 'utf8').toString('base64'));
    event.isBase64Encoded = true;
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(jsonOf(result)).toEqual({
      echoed: { to: '+15551234567', type: 'text', text: { body: 'olá 👋' } },
    });
  });

  it('accepts application/*+json and an explicit utf-8 charset', async () => {
    const { handler } = sendRoute(() => ({ ok: true }));
    const body = JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } });
    for (const contentType of ['application/json; charset=UTF-8', 'application/vnd.wa+json']) {
      const result = await handler(post(body, { 'Content-Type': contentType }), lambdaContext());
      expect(result.statusCode).toBe(200);
    }
  });

  it('supports created (with location) and no-content responses', async () => {
    const createdRoute = httpRoute({ handler: () => created({ id: 'a' }, '/v1/webhooks/a') });
    const r1 = await createdRoute(httpEvent(), lambdaContext());
    expect(r1.statusCode).toBe(201);
    expect(headerOf(r1, 'location')).toBe('/v1/webhooks/a');
    const emptyRoute = httpRoute({ handler: () => noContent() });
    const r2 = await emptyRoute(httpEvent({ method: 'DELETE' }), lambdaContext());
    expect(r2.statusCode).toBe(204);
    expect(r2.body).toBeUndefined();
    const custom = httpRoute({
      successStatus: 202,
      handler: () => new HttpResponse(200, { a: 1 }, { etag: '"1"' }),
    });
    const r3 = await custom(httpEvent(), lambdaContext());
    expect([r3.statusCode, headerOf(r3, 'etag')]).toEqual([200, '"1"']);
  });
});

describe('httpRouteFor: routes behind the Lambda authorizer', () => {
  it('types the authorizer context and still infers the schemas', async () => {
    type Auth = { tenantId: string; scopes: string[] };
    const handler = httpRouteFor<AuthorizedHttpEvent<Auth>>()({
      body: z.object({ name: z.string() }),
      handler: ({ body, event }) => ({
        tenantId: event.requestContext.authorizer.lambda.tenantId,
        name: body.name,
      }),
    });
    const base = httpEvent({
      method: 'POST',
      body: '{"name":"a"}',
      headers: { 'content-type': 'application/json' },
    });
    const event: AuthorizedHttpEvent<Auth> = {
      ...base,
      requestContext: { ...base.requestContext, authorizer: { lambda: { tenantId: 't1', scopes: [] } } },
    };
    const result = await handler(event, lambdaContext());
    expect(jsonOf(result)).toEqual({ tenantId: 't1', name: 'a' });
  });
});

describe('httpRoute: refusals are problem documents', () => {
  it('malformed JSON -> 400 bad-request, without echoing the input', async () => {
    const { handler } = sendRoute();
    const result = await handler(post('{"to": "+1555", "type": '), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(headerOf(result, 'content-type')).toBe('application/problem+json');
    const problem = jsonOf(result);
    expect(problem).toMatchObject({
      type: problemType('bad-request'),
      status: 400,
      title: 'Malformed request',
    });
    expect(JSON.stringify(problem)).not.toContain('+1555');
  });

  it('invalid base64 -> 400', async () => {
    const { handler } = sendRoute();
    const event = post('%%%not base64%%%');
    event.isBase64Encoded = true;
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(jsonOf(result).detail).toMatch(/base64/);
  });

  it('invalid UTF-8 -> 400', async () => {
    const { handler } = sendRoute();
    const event = post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'));
    event.isBase64Encoded = true;
    expect((await handler(event, lambdaContext())).statusCode).toBe(400);
  });

  it('wrong types -> 400 validation-error naming each field as a JSON pointer', async () => {
    const { handler } = sendRoute();
    const body = JSON.stringify({ to: '5551234567', type: 'text', text: { body: 42 }, bogus: true });
    const result = await handler(post(body), lambdaContext());
    expect(result.statusCode).toBe(400);
    const problem = jsonOf(result);
    expect(problem.type).toBe(problemType('validation-error'));
    const errors = problem.errors as { location: string; pointer: string; message: string }[];
    expect(errors.map((e) => e.pointer).sort()).toEqual(['/bogus', '/text/body', '/to']);
    expect(errors.every((e) => e.location === 'body')).toBe(true);
    expect(errors.find((e) => e.pointer === '/to')?.message).toMatch(/E\.164/);
  });

  it('missing fields say "is required"', async () => {
    const { handler } = sendRoute();
    const result = await handler(post(JSON.stringify({ type: 'text', text: {} })), lambdaContext());
    const errors = jsonOf(result).errors as { pointer: string; message: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        { location: 'body', pointer: '/to', message: 'is required' },
        { location: 'body', pointer: '/text/body', message: 'is required' },
      ]),
    );
  });

  it('a missing body where one is required -> 400 validation-error', async () => {
    const { handler } = sendRoute();
    const result = await handler(post(undefined), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(jsonOf(result).type).toBe(problemType('validation-error'));
  });

  it('a non-JSON content type with a body -> 415', async () => {
    const { handler } = sendRoute();
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/json; charset=latin1' },
      {},
    ] as Record<string, string>[]) {
      const result = await handler(post('{"to":"+15551234567"}', headers), lambdaContext());
      expect(result.statusCode).toBe(415);
      expect(jsonOf(result).type).toBe(problemType('unsupported-media-type'));
    }
  });

  it('an oversize body -> 413 before parsing', async () => {
    const log = silentLogger();
    const handler = httpRoute({ body: z.unknown(), maxBytes: 1024, logger: log.logger, handler: () => ({}) });
    const big = JSON.stringify({ text: 'x'.repeat(2000) });
    const result = await handler(post(big), lambdaContext());
    expect(result.statusCode).toBe(413);
    expect(jsonOf(result).type).toBe(problemType('payload-too-large'));
  });

  it('bad path and query parameters name the parameter', async () => {
    const { handler } = sendRoute();
    const event = post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } }));
    event.pathParameters = { sessionId: 'not-a-ulid' };
    const pathResult = await handler(event, lambdaContext());
    expect(pathResult.statusCode).toBe(400);
    expect(jsonOf(pathResult).errors).toEqual([
      { location: 'path', field: 'sessionId', message: expect.any(String) },
    ]);

    const event2 = post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } }));
    event2.queryStringParameters = { dryRun: 'maybe' };
    const queryResult = await handler(event2, lambdaContext());
    expect(jsonOf(queryResult).errors).toEqual([
      { location: 'query', field: 'dryRun', message: expect.any(String) },
    ]);
  });

  it('RateLimitedError -> 429 with Retry-After', async () => {
    const { handler } = sendRoute(() => {
      throw new RateLimitedError(7);
    });
    const result = await handler(
      post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(429);
    expect(headerOf(result, 'retry-after')).toBe('7');
    expect(jsonOf(result)).toMatchObject({ type: problemType('rate-limited'), status: 429 });
  });

  it.each([
    [new NotFoundError('session not found'), 404, 'not-found'],
    [new ConflictError('already running'), 409, 'conflict'],
  ])('%s keeps its status and detail', async (err, status, slug) => {
    const { handler } = sendRoute(() => {
      throw err;
    });
    const result = await handler(
      post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(status);
    expect(jsonOf(result)).toMatchObject({
      type: problemType(slug),
      detail: err.detail,
      requestId: 'req-Jx1aBcDeFg=',
    });
  });

  it('unknown errors -> 500 without internals, logged with the cause', async () => {
    const secret = 'AccessDenied: arn:aws:dynamodb:us-east-1:123456789012:table/wa-keys key=wak_secret';
    const { handler, log } = sendRoute(async () => {
      throw new Error(secret);
    });
    const result = await handler(
      post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(500);
    expect(headerOf(result, 'content-type')).toBe('application/problem+json');
    const text = String(result.body);
    expect(text).not.toContain('arn:aws');
    expect(text).not.toContain('wak_secret');
    expect(text).not.toMatch(/\n\s+at /);
    expect(jsonOf(result)).not.toHaveProperty('stack');
    expect(jsonOf(result)).toMatchObject({
      type: problemType('internal-error'),
      status: 500,
      requestId: 'req-Jx1aBcDeFg=',
    });
    expect(log.error).toHaveBeenCalledTimes(1);
    const logged = log.error.mock.calls[0]?.[1] as { error: Error };
    expect(logged.error.message).toBe(secret);
  });

  it.each([
    [
      'a DynamoDB 500',
      new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } }),
    ],
    [
      'throttling',
      new ProvisionedThroughputExceededException({
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    ],
    [
      'no answer',
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: { attempts: 4 } }),
    ],
  ])(
    'an AWS service failing after the SDK retries (%s) -> 503 with Retry-After, a warning',
    async (_, err) => {
      const { handler, log } = sendRoute(() => {
        throw err;
      });
      const result = await handler(
        post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
        lambdaContext(),
      );
      expect(result.statusCode).toBe(503);
      expect(headerOf(result, 'retry-after')).toBe('5');
      expect(jsonOf(result)).toMatchObject({ type: problemType('service-unavailable'), status: 503 });
      expect(log.error).not.toHaveBeenCalled();
      expect(log.warn).toHaveBeenCalledWith('request failed', expect.objectContaining({ status: 503 }));
    },
  );

  it('an AWS client fault reaching the edge (a condition refused) is still a bug: 500', async () => {
    const { handler } = sendRoute(() => {
      throw new ConditionalCheckFailedException({ message: 'refused', $metadata: { httpStatusCode: 400 } });
    });
    const result = await handler(
      post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(500);
  });

  it('a non-Error throw is still a 500 problem', async () => {
    const { handler } = sendRoute(() => {
      throw 'plain string';
    });
    const result = await handler(
      post(JSON.stringify({ to: '+15551234567', type: 'text', text: { body: 'x' } })),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(500);
    expect(String(result.body)).not.toContain('plain string');
  });

  it('4xx are logged at info, not as errors', async () => {
    const { handler, log } = sendRoute();
    await handler(post('{'), lambdaContext());
    expect(log.error).not.toHaveBeenCalled();
    expect(log.info).toHaveBeenCalledWith('request refused', expect.objectContaining({ status: 400 }));
  });
});
