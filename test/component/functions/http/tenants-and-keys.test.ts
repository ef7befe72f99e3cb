import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HTTP_ROUTES } from '../../../../shared/definitions/http-routes.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = { type: string; status: number; detail: string; errors?: { pointer?: string }[] };

/** Short, so the revocation test waits little; long enough for a revoke and a request on a busy machine. */
const AUTH_CACHE_MS = 3_000;

let api: ApiHarness;
let tenant: TenantHandle;

beforeAll(async () => {
  api = await startApi({ env: { APP_AUTH_CACHE_MS: String(AUTH_CACHE_MS) } });
  tenant = await api.createTenant();
}, 120_000);
afterAll(async () => {
  await api?.stop();
});

describe('POST /v1/tenants (operator)', () => {
  it('creates a tenant with default limits and a first key that has every scope, shown once', async () => {
    const reply = await api.call<{
      tenant: { id: string; name: string; status: string; limits: Record<string, number> };
      apiKey: { id: string; key: string; prefix: string; scopes: string[] };
    }>('POST', '/v1/tenants', { key: api.operatorKey, body: { name: 'Acme' } });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/v1/tenants/${reply.body.tenant.id}`);
    expect(reply.body.tenant).toMatchObject({
      name: 'Acme',
      status: 'active',
      limits: { maxSessions: 5, sendsPerMinute: 60, requestsPerMinute: 600 },
    });
    expect(reply.body.apiKey.key).toMatch(/^wak_[A-Za-z0-9_-]{43}$/);
    expect(reply.body.apiKey.key.startsWith(reply.body.apiKey.prefix)).toBe(true);
    expect(reply.body.apiKey.scopes).toContain('keys:manage');
    // The new key works at once.
    const list = await api.call('GET', '/v1/sessions', { key: reply.body.apiKey.key });
    expect(list.status).toBe(200);
  });

  it('refuses an invalid body with a 400 naming the field', async () => {
    const reply = await api.call<Problem>('POST', '/v1/tenants', {
      key: api.operatorKey,
      body: { name: '', limits: { maxSessions: -1 } },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((e) => e.pointer).sort()).toEqual(['/limits/maxSessions', '/name']);
  });

  it('refuses a tenant key (403) and a wrong key (401)', async () => {
    const asTenant = await api.call<Problem>('POST', '/v1/tenants', { key: tenant.key, body: { name: 'x' } });
    expect(asTenant.status).toBe(403);
    const wrong = await api.call<Problem>('POST', '/v1/tenants', {
      key: 'not-the-operator',
      body: { name: 'x' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('GET and PATCH /v1/tenants/{tenantId} (operator)', () => {
  type TenantBody = { id: string; status: string; limits: Record<string, number> };

  it('changes some limits and keeps the rest; the tenant is held to the new quota', async () => {
    const fresh = await api.createTenant({ maxSessions: 5, sendsPerMinute: 30 });
    const patched = await api.call<TenantBody>('PATCH', `/v1/tenants/${fresh.tenantId}`, {
      key: api.operatorKey,
      body: { limits: { maxSessions: 1 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.limits).toEqual({ maxSessions: 1, sendsPerMinute: 30, requestsPerMinute: 600 });
    const read = await api.call<TenantBody>('GET', `/v1/tenants/${fresh.tenantId}`, { key: api.operatorKey });
    expect(read.body).toMatchObject({ id: fresh.tenantId, status: 'active', limits: patched.body.limits });

    expect((await api.call('POST', '/v1/sessions', { key: fresh.key, body: {} })).status).toBe(201);
    const over = await api.call<Problem>('POST', '/v1/sessions', { key: fresh.key, body: {} });
    expect(over.status).toBe(403);
  });

  it('shows the usage next to the limits, to the operator and to any key of the tenant itself', async () => {
    type WithUsage = TenantBody & { usage: { sessions: number } };
    const fresh = await api.createTenant({ maxSessions: 3 });
    const own = () => api.call<WithUsage>('GET', '/v1/tenant', { key: fresh.key });
    const empty = await own();
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({
      id: fresh.tenantId,
      limits: { maxSessions: 3 },
      usage: { sessions: 0 },
    });
    expect(empty.body).not.toHaveProperty('sessionCount');

    const created = await Promise.all(
      [1, 2].map(() => api.call<{ id: string }>('POST', '/v1/sessions', { key: fresh.key, body: {} })),
    );
    expect((await own()).body.usage).toEqual({ sessions: 2 });
    const operatorView = await api.call<WithUsage>('GET', `/v1/tenants/${fresh.tenantId}`, {
      key: api.operatorKey,
    });
    expect(operatorView.body.usage).toEqual({ sessions: 2 });

    await api.call('DELETE', `/v1/sessions/${created[0]!.body.id}`, { key: fresh.key });
    expect((await own()).body.usage).toEqual({ sessions: 1 });

    // A key with no scope at all may read it; another tenant reads its own, never this one.
    const narrow = await api.call<{ key: string }>('POST', '/v1/api-keys', {
      key: fresh.key,
      body: { name: 'webhooks only', scopes: ['webhooks:manage'] },
    });
    expect(narrow.status).toBe(201);
    expect((await api.call<WithUsage>('GET', '/v1/tenant', { key: narrow.body.key })).body.id).toBe(
      fresh.tenantId,
    );
    expect((await api.call<WithUsage>('GET', '/v1/tenant', { key: tenant.key })).body.id).toBe(
      tenant.tenantId,
    );
    expect((await api.call('GET', '/v1/tenant', { key: api.operatorKey })).status).toBe(403);
  });

  it('suspends a tenant: its keys are refused', async () => {
    const fresh = await api.createTenant();
    const suspended = await api.call<TenantBody>('PATCH', `/v1/tenants/${fresh.tenantId}`, {
      key: api.operatorKey,
      body: { status: 'suspended' },
    });
    expect(suspended.body.status).toBe('suspended');
    const refused = await api.call<Problem>('GET', '/v1/sessions', { key: fresh.key });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('suspended');
  });

  it("suspending a tenant closes its open browser WebSockets, session and tenant-wide, within seconds; another tenant's stays open", async () => {
    const openSocket = async (handle: TenantHandle, tenantWide = false): Promise<WebSocket> => {
      const session = await api.call<{ id: string }>('POST', '/v1/sessions', { key: handle.key, body: {} });
      const path = tenantWide ? '/v1/ws-tickets' : `/v1/sessions/${session.body.id}/ws-tickets`;
      const ticket = await api.call<{ url: string }>('POST', path, {
        key: handle.key,
      });
      expect(ticket.status).toBe(201);
      const ws = new WebSocket(ticket.body.url);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
      });
      return ws;
    };
    const fresh = await api.createTenant();
    const bystander = await api.createTenant();
    const [socket, wide, other] = await Promise.all([
      openSocket(fresh),
      openSocket(fresh, true),
      openSocket(bystander, true),
    ]);
    const closed = Promise.all(
      [socket, wide].map((ws) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))),
    );
    const started = Date.now();
    const suspended = await api.call('PATCH', `/v1/tenants/${fresh.tenantId}`, {
      key: api.operatorKey,
      body: { status: 'suspended' },
    });
    expect(suspended.status).toBe(200);
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(other.readyState).toBe(WebSocket.OPEN);
    other.close();
  });

  it('400 naming the field for bad limits or an empty patch; 404 for no tenant; tenant keys get 403', async () => {
    const bad = await api.call<Problem>('PATCH', `/v1/tenants/${tenant.tenantId}`, {
      key: api.operatorKey,
      body: { limits: { sendsPerMinute: 0 }, plan: 'gold' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/limits/sendsPerMinute']),
    );
    const empty = await api.call<Problem>('PATCH', `/v1/tenants/${tenant.tenantId}`, {
      key: api.operatorKey,
      body: {},
    });
    expect(empty.status).toBe(400);
    const missing = await api.call('GET', `/v1/tenants/${'0'.repeat(26)}`, { key: api.operatorKey });
    expect(missing.status).toBe(404);
    const asTenant = await api.call('PATCH', `/v1/tenants/${tenant.tenantId}`, {
      key: tenant.key,
      body: { limits: { maxSessions: 10_000 } },
    });
    expect(asTenant.status).toBe(403);
    const unchanged = await api.call<TenantBody>('GET', `/v1/tenants/${tenant.tenantId}`, {
      key: api.operatorKey,
    });
    expect(unchanged.body.limits.maxSessions).not.toBe(10_000);
  });
});

describe('authentication', () => {
  it('without an Authorization header the gateway answers 401', async () => {
    const reply = await api.call('GET', '/v1/sessions');
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ message: 'Unauthorized' });
  });

  it('a wrong, malformed or non-Bearer key is a 401 problem that does not echo the key', async () => {
    for (const header of [
      'Bearer wak_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'Bearer nonsense',
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
    ]) {
      const reply = await api.call<Problem>('GET', '/v1/sessions', { headers: { authorization: header } });
      expect(reply.status, header).toBe(401);
      expect(reply.headers.get('content-type')).toBe('application/problem+json');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.stringify(reply.body)).not.toContain('AAAAAAAA');
    }
  });

  it('the operator key is not a tenant key (403 on tenant routes)', async () => {
    const reply = await api.call<Problem>('GET', '/v1/sessions', { key: api.operatorKey });
    expect(reply.status).toBe(403);
  });

  it("a suspended tenant's keys are refused with a 403", async () => {
    const suspended = await api.createTenant();
    await api.repos.tenants.update(suspended.tenantId, { status: 'suspended' });
    // The guard runs before the handler looks anything up, so any well-formed session id will do.
    const sessionId = '01J00000000000000000000000';
    // Every tenant route runs the same guard, webhook and browser-ticket routes included.
    const calls: [string, string, unknown][] = [
      ['GET', '/v1/sessions', undefined],
      [
        'POST',
        `/v1/sessions/${sessionId}/messages`,
        { to: '+15551234567', type: 'text', text: { body: 'hi' } },
      ],
      ['GET', '/v1/webhooks', undefined],
      ['POST', '/v1/webhooks', { url: 'https://hooks.example.com/wa', events: ['*'] }],
      ['POST', `/v1/sessions/${sessionId}/ws-tickets`, undefined],
    ];
    for (const [method, path, body] of calls) {
      const reply = await api.call<Problem>(method, path, { key: suspended.key, body });
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 403 });
      expect(reply.body.detail).toContain('suspended');
    }
  });

  it('records when a key was last used', async () => {
    const fresh = await api.createTenant();
    const before = (await api.repos.apiKeys.listByTenant(fresh.tenantId)).items[0];
    expect(before?.lastUsedAt).toBeUndefined();
    expect((await api.call('GET', '/v1/sessions', { key: fresh.key })).status).toBe(200);
    const after = (await api.repos.apiKeys.listByTenant(fresh.tenantId)).items[0];
    expect(after?.lastUsedAt).toEqual(expect.any(String));
  });

  it('checks the key before the input: a wrong key with a bad body is a 401, not a 400', async () => {
    const reply = await api.call('POST', '/v1/api-keys', { key: 'wrong', rawBody: '{not json' });
    expect(reply.status).toBe(401);
  });
});

describe('API keys', () => {
  it('creates a narrower key (default scopes exclude keys:manage) that is refused where it lacks a scope', async () => {
    const created = await api.call<{ id: string; key: string; scopes: string[] }>('POST', '/v1/api-keys', {
      key: tenant.key,
      body: { name: 'reader', scopes: ['sessions:read'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['sessions:read']);
    expect((await api.call('GET', '/v1/sessions', { key: created.body.key })).status).toBe(200);
    const send = await api.call<Problem>('POST', '/v1/sessions', { key: created.body.key, body: {} });
    expect(send.status).toBe(403);
    expect(send.body.detail).toContain('sessions:write');
    const keys = await api.call<Problem>('GET', '/v1/api-keys', { key: created.body.key });
    expect(keys.status).toBe(403);

    const defaults = await api.call<{ scopes: string[] }>('POST', '/v1/api-keys', {
      key: tenant.key,
      body: { name: 'app' },
    });
    expect(defaults.body.scopes).not.toContain('keys:manage');
    expect(defaults.body.scopes).toContain('messages:send');
  });

  it('a key mints only keys within its own scopes: keys:manage alone cannot widen itself (403 naming them)', async () => {
    const manager = await api.call<{ key: string }>('POST', '/v1/api-keys', {
      key: tenant.key,
      body: { name: 'manager', scopes: ['keys:manage', 'sessions:read'] },
    });
    expect(manager.status).toBe(201);
    const wider = await api.call<Problem>('POST', '/v1/api-keys', {
      key: manager.body.key,
      body: { name: 'wider', scopes: ['sessions:read', 'messages:send', 'webhooks:manage'] },
    });
    expect(wider.status).toBe(403);
    expect(wider.body.detail).toContain('messages:send, webhooks:manage');
    expect(wider.body.detail).not.toContain('sessions:read');
    // The default scopes are held to the same rule.
    const defaults = await api.call<Problem>('POST', '/v1/api-keys', {
      key: manager.body.key,
      body: { name: 'defaults' },
    });
    expect(defaults.status).toBe(403);
    const within = await api.call<{ scopes: string[] }>('POST', '/v1/api-keys', {
      key: manager.body.key,
      body: { name: 'within', scopes: ['sessions:read', 'keys:manage'] },
    });
    expect(within.status).toBe(201);
    expect(within.body.scopes.sort()).toEqual(['keys:manage', 'sessions:read']);
  });

  it('lists keys without the key or its hash', async () => {
    const reply = await api.call<{ items: Record<string, unknown>[] }>('GET', '/v1/api-keys?limit=100', {
      key: tenant.key,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.items.length).toBeGreaterThanOrEqual(1);
    for (const item of reply.body.items) {
      expect(Object.keys(item).sort()).toEqual(
        expect.arrayContaining(['createdAt', 'id', 'name', 'prefix', 'scopes']),
      );
      expect(item).not.toHaveProperty('key');
      expect(item).not.toHaveProperty('keyHash');
      expect(item).not.toHaveProperty('tenantId');
    }
    expect(JSON.stringify(reply.body)).not.toContain(tenant.key);
  });

  it("a cursor of another tenant's key list is a 400; an edited cursor too", async () => {
    const other = await api.createTenant();
    for (const name of ['one', 'two']) {
      await api.call('POST', '/v1/api-keys', { key: other.key, body: { name, scopes: ['sessions:read'] } });
    }
    const page = await api.call<{ cursor: string }>('GET', '/v1/api-keys?limit=1', { key: other.key });
    expect(page.body.cursor).toBeDefined();
    const next = await api.call('GET', `/v1/api-keys?limit=1&cursor=${page.body.cursor}`, { key: other.key });
    expect(next.status).toBe(200);
    const foreign = await api.call<Problem & { errors: { field: string }[] }>(
      'GET',
      `/v1/api-keys?cursor=${page.body.cursor}`,
      { key: tenant.key },
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0]?.field).toBe('cursor');
    const [payload, mac] = page.body.cursor.split('.');
    const key = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { keyId: string };
    // Another last character than the id's own (a fixed '0' left 1 cursor in 32 unchanged, and valid).
    const last = key.keyId.endsWith('0') ? '1' : '0';
    const edited = Buffer.from(JSON.stringify({ keyId: `${key.keyId.slice(0, -1)}${last}` })).toString(
      'base64url',
    );
    const forged = await api.call('GET', `/v1/api-keys?cursor=${edited}.${mac}`, { key: other.key });
    expect(forged.status).toBe(400);
  });

  it('a revoked key works on for at most APP_AUTH_CACHE_MS (the cached verdict), then is refused; another tenant cannot revoke it', async () => {
    const other = await api.createTenant();
    const created = await api.call<{ id: string; key: string }>('POST', '/v1/api-keys', {
      key: tenant.key,
      body: { name: 'temp' },
    });
    const foreign = await api.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: other.key });
    expect(foreign.status).toBe(404);
    const beforeFirstUse = Date.now();
    expect((await api.call('GET', '/v1/sessions', { key: created.body.key })).status).toBe(200);
    // The verdict read by that request is cached until at most now + the TTL (an entry is never extended).
    const cachedUntilAtMost = Date.now() + AUTH_CACHE_MS;

    const revoked = await api.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: tenant.key });
    expect(revoked.status).toBe(204);
    const withinTtl = await api.call('GET', '/v1/sessions', { key: created.body.key });
    expect(Date.now() - beforeFirstUse).toBeLessThan(AUTH_CACHE_MS);
    expect(withinTtl.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, cachedUntilAtMost - Date.now() + 50));
    const after = await api.call<Problem>('GET', '/v1/sessions', { key: created.body.key });
    expect(after.status).toBe(401);
    expect((await api.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: tenant.key })).status).toBe(
      404,
    );
  });

  it('a malformed key id is a 400 naming the path parameter', async () => {
    const reply = await api.call<{ errors: { field: string }[] }>('DELETE', '/v1/api-keys/nope', {
      key: tenant.key,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]?.field).toBe('keyId');
  });
});

describe('GET /v1/openapi.json', () => {
  it('needs no key, is valid OpenAPI 3.1 and lists every route', async () => {
    const reply = await api.call<Record<string, unknown>>('GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(reply.body);
    expect(result.errors ?? []).toEqual([]);
    const paths = reply.body['paths'] as Record<string, Record<string, unknown>>;
    for (const route of HTTP_ROUTES.filter((r) => r.routeKey !== '$default')) {
      const [method = '', path = ''] = route.routeKey.split(' ');
      expect(paths[path]?.[method.toLowerCase()], route.routeKey).toBeDefined();
    }
  });
});
