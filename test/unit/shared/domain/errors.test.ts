import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalError,
  NotFoundError,
  PROBLEM_TYPE_BASE,
  PayloadTooLargeError,
  ProblemSchema,
  QuotaExceededError,
  RateLimitedError,
  SendMessageRequestSchema,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  toJsonPointer,
  toProblem,
  validationErrorFromZod,
} from '../../../../shared/domain/index.js';

describe('typed errors', () => {
  it.each([
    [new BadRequestError('x'), 400, 'bad-request'],
    [new UnauthorizedError(), 401, 'unauthorized'],
    [new ForbiddenError('missing scope messages:send'), 403, 'forbidden'],
    [new NotFoundError('x'), 404, 'not-found'],
    [new ConflictError('x'), 409, 'conflict'],
    [new PayloadTooLargeError('x'), 413, 'payload-too-large'],
    [new UnsupportedMediaTypeError('x'), 415, 'unsupported-media-type'],
    [new RateLimitedError(3), 429, 'rate-limited'],
    [new QuotaExceededError('x'), 403, 'quota-exceeded'],
    [new InternalError(), 500, 'internal-error'],
  ])('%s maps to status %i and its own type', (err, status, slug) => {
    const problem = toProblem(err);
    expect(problem.status).toBe(status);
    expect(problem.type).toBe(`${PROBLEM_TYPE_BASE}${slug}`);
    expect(problem.title.length).toBeGreaterThan(0);
    expect(ProblemSchema.safeParse(problem).success).toBe(true);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(err.constructor.name);
  });

  it('keeps the detail and instance it was given', () => {
    const problem = toProblem(new NotFoundError('session 01H not found', { instance: '/v1/sessions/01H' }));
    expect(problem).toEqual({
      type: `${PROBLEM_TYPE_BASE}not-found`,
      title: 'Not found',
      status: 404,
      detail: 'session 01H not found',
      instance: '/v1/sessions/01H',
    });
    expect(toProblem(new NotFoundError('x'), '/v1/x').instance).toBe('/v1/x');
  });

  it('rate limiting carries a whole-second Retry-After, at least 1', () => {
    expect(new RateLimitedError(2.2).headers()).toEqual({ 'Retry-After': '3' });
    expect(new RateLimitedError(0).retryAfterSeconds).toBe(1);
  });

  it('401 carries a Bearer challenge', () => {
    expect(new UnauthorizedError().headers()['WWW-Authenticate']).toBe('Bearer');
  });

  it('turns unknown errors into a generic 500 without their message', () => {
    const secret = 'connect ECONNREFUSED arn:aws:dynamodb:us-east-1:123456789012:table/wa-tenants';
    for (const thrown of [new Error(secret), secret, { message: secret }, undefined, null]) {
      const problem = toProblem(thrown);
      expect(problem.status).toBe(500);
      expect(problem.type).toBe(`${PROBLEM_TYPE_BASE}internal-error`);
      expect(JSON.stringify(problem)).not.toContain('arn:aws');
      expect(problem).not.toHaveProperty('stack');
    }
  });
});

describe('validation errors', () => {
  it('escapes JSON pointer segments per RFC 6901', () => {
    expect(toJsonPointer(['text', 'body'])).toBe('/text/body');
    expect(toJsonPointer(['contacts', 0, 'phones'])).toBe('/contacts/0/phones');
    expect(toJsonPointer(['a/b', 'c~d'])).toBe('/a~1b/c~0d');
    expect(toJsonPointer([])).toBe('');
  });

  it('names each body field as a JSON pointer', () => {
    const result = SendMessageRequestSchema.safeParse({ to: '555', type: 'text', text: { body: 42 } });
    expect(result.success).toBe(false);
    const problem = toProblem(validationErrorFromZod(result.error!, 'body'));
    expect(problem.status).toBe(400);
    expect(problem.type).toBe(`${PROBLEM_TYPE_BASE}validation-error`);
    const pointers = problem.errors?.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/to', '/text/body']));
    expect(problem.errors?.every((e) => e.location === 'body' && e.message.length > 0)).toBe(true);
    expect(problem.detail).toContain('/text/body');
  });

  it('names query, path and header fields by name, not pointer', () => {
    const schema = z.object({ limit: z.coerce.number().int().max(100), cursor: z.string().optional() });
    const err = validationErrorFromZod(schema.safeParse({ limit: '500' }).error!, 'query');
    expect(err.errors).toEqual([{ location: 'query', field: 'limit', message: expect.any(String) }]);
    expect(err.errors[0]).not.toHaveProperty('pointer');
    expect(err.detail).toContain('query limit');
  });

  it('reports each unknown key of a strict object separately', () => {
    const schema = z.strictObject({ a: z.string() });
    const err = validationErrorFromZod(schema.safeParse({ a: 'x', b: 1, c: 2 }).error!, 'body');
    expect(err.errors.map((e) => e.pointer)).toEqual(['/b', '/c']);
    expect(err.errors[0]?.message).toBe('unknown field');
  });

  it('a raw ZodError thrown at the edge becomes a 400 naming fields', () => {
    const error = z.object({ name: z.string() }).safeParse({}).error!;
    const problem = toProblem(error);
    expect(problem.status).toBe(400);
    expect(problem.errors?.[0]?.pointer).toBe('/name');
  });

  it('ValidationError accepts its own detail', () => {
    const err = new ValidationError(
      [{ location: 'path', field: 'sessionId', message: 'must be a ULID' }],
      'bad id',
    );
    expect(err.toProblem()).toMatchObject({
      status: 400,
      detail: 'bad id',
      errors: [{ field: 'sessionId' }],
    });
  });
});
