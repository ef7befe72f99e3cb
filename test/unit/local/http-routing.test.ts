import { describe, expect, it } from 'vitest';
import { HttpRouter, parseRouteKey, RouteKeyError } from '../../../local/http-routing.js';

const router = new HttpRouter(
  [
    'ANY /v1/{proxy+}',
    'GET /v1/sessions/{sessionId}',
    'ANY /v1/sessions/{sessionId}',
    'GET /v1/sessions/mine',
    'GET /v1/sessions/{sessionId}/messages/{messageId}',
    '$default',
  ].map((routeKey) => ({ route: routeKey, routeKey })),
);

describe('HttpRouter', () => {
  it('prefers literal over parameter over greedy, and a method over ANY', () => {
    expect(router.match('GET', '/v1/sessions/mine')?.route).toBe('GET /v1/sessions/mine');
    expect(router.match('GET', '/v1/sessions/abc')?.route).toBe('GET /v1/sessions/{sessionId}');
    expect(router.match('DELETE', '/v1/sessions/abc')?.route).toBe('ANY /v1/sessions/{sessionId}');
    expect(router.match('POST', '/v1/other/x/y')).toEqual({
      route: 'ANY /v1/{proxy+}',
      routeKey: 'ANY /v1/{proxy+}',
      pathParameters: { proxy: 'other/x/y' },
    });
  });

  it('decodes path parameters and extracts several', () => {
    expect(router.match('GET', '/v1/sessions/a%2Fb/messages/m%201')?.pathParameters).toEqual({
      sessionId: 'a/b',
      messageId: 'm 1',
    });
  });

  it('falls back to $default for empty segments, unknown paths and a bare greedy prefix', () => {
    expect(router.match('GET', '/v1/sessions/')?.routeKey).toBe('ANY /v1/{proxy+}');
    expect(router.match('GET', '/v1/')?.routeKey).toBe('$default');
    expect(router.match('GET', '/elsewhere')?.routeKey).toBe('$default');
    expect(new HttpRouter([{ route: 1, routeKey: 'GET /x' }]).match('GET', '/y')).toBeUndefined();
  });

  it('rejects malformed route keys', () => {
    expect(() => parseRouteKey(0, 'FETCH /x')).toThrow(RouteKeyError);
    expect(() => parseRouteKey(0, 'GET x')).toThrow(RouteKeyError);
    expect(() => parseRouteKey(0, 'GET /{proxy+}/x')).toThrow(RouteKeyError);
  });
});
