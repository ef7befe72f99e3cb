import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { BinaryResponse, httpRoute } from '../../../../functions/http/route.js';
import { UnauthorizedError } from '../../../../shared/domain/index.js';
import { HostTimeoutError } from '../../../../shared/services/errors.js';
import { headerOf, httpEvent, jsonOf, lambdaContext } from './http-event.js';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('httpRoute: authorize', () => {
  const route = (allow: boolean) =>
    httpRoute({
      logger,
      authorize: () => {
        if (!allow) throw new UnauthorizedError();
        return { tenantId: 'T1' };
      },
      body: z.strictObject({ name: z.string() }),
      handler: ({ auth, body }) => ({ tenant: auth.tenantId, name: body.name }),
    });
  const post = (body: string) =>
    httpEvent({ method: 'POST', path: '/x', headers: { 'content-type': 'application/json' }, body });

  it('runs before the body is read: a refused caller gets the 401, not the 400 of a bad body', async () => {
    const result = await route(false)(post('{not json'), lambdaContext());
    expect(result.statusCode).toBe(401);
    expect(headerOf(result, 'www-authenticate')).toBe('Bearer');
  });

  it('hands its result to the handler as `auth`', async () => {
    const result = await route(true)(post('{"name":"n"}'), lambdaContext());
    expect(jsonOf(result)).toEqual({ tenant: 'T1', name: 'n' });
    expect((await route(true)(post('{not json'), lambdaContext())).statusCode).toBe(400);
  });
});

describe('httpRoute: BinaryResponse', () => {
  it('answers base64 with isBase64Encoded and the content type', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const result = await httpRoute({ handler: () => new BinaryResponse('image/png', bytes) })(
      httpEvent({ method: 'GET', path: '/x' }),
      lambdaContext(),
    );
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true, body: bytes.toString('base64') });
    expect(headerOf(result, 'content-type')).toBe('image/png');
    expect(headerOf(result, 'cache-control')).toBe('no-store');
  });
});

describe('problem logging of deliberate 5xx answers', () => {
  it('a typed 504 is a warning with its type, not an "unhandled error"', async () => {
    const log = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const warn = vi.spyOn(log, 'warn');
    const error = vi.spyOn(log, 'error');
    const result = await httpRoute({
      logger: log,
      handler: () => {
        throw new HostTimeoutError('no code');
      },
    })(httpEvent({ method: 'GET', path: '/x' }), lambdaContext());
    expect(result.statusCode).toBe(504);
    expect(jsonOf(result)).toMatchObject({ status: 504, detail: 'no code' });
    expect(error).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith('request failed', expect.objectContaining({ status: 504 }));
  });
});
