import { describe, expect, it } from 'vitest';
import { handler } from '../../../../functions/http/not-found.js';
import { headerOf, httpEvent, jsonOf, lambdaContext } from './http-event.js';

describe('$default (no route)', () => {
  it('answers a 404 problem that names the method and path', async () => {
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/nope' }), lambdaContext());
    expect(result.statusCode).toBe(404);
    expect(headerOf(result, 'content-type')).toMatch(/^application\/problem\+json/);
    const body = jsonOf(result);
    expect(body).toMatchObject({ status: 404, title: 'Not found' });
    expect(String(body.detail)).toContain('POST /v1/nope');
  });

  it('does not choke on a malformed body', async () => {
    const result = await handler(
      httpEvent({ method: 'PUT', path: '/x', body: '{bad', headers: { 'content-type': 'application/json' } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(404);
  });
});
