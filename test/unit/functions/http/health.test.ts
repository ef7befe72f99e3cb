import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../../functions/http/health.js';
import { headerOf, httpEvent, jsonOf, lambdaContext } from './http-event.js';

describe('GET /v1/health', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('answers 200 with status, service, version and time, no auth needed', async () => {
    vi.stubEnv('APP_SERVICE_NAME', 'wa-test');
    vi.stubEnv('APP_VERSION', '9.9.9');
    const before = Date.now();
    const result = await handler(httpEvent({ method: 'GET', path: '/v1/health' }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(headerOf(result, 'content-type')).toMatch(/^application\/json/);
    const body = jsonOf(result);
    expect(body).toMatchObject({ status: 'ok', service: 'wa-test', version: '9.9.9' });
    expect(Date.parse(String(body.time))).toBeGreaterThanOrEqual(before - 1);
  });

  it('falls back to defaults without configuration', async () => {
    vi.stubEnv('APP_SERVICE_NAME', undefined);
    vi.stubEnv('APP_VERSION', undefined);
    const body = jsonOf(await handler(httpEvent(), lambdaContext()));
    expect(body.service).toBe('wa-platform');
    expect(typeof body.version).toBe('string');
  });

  it('ignores a stray body instead of failing liveness', async () => {
    const result = await handler(
      httpEvent({ body: '{not json', headers: { 'content-type': 'text/plain' } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
  });
});
