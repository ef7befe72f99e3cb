/**
 * Webhook subscription CRUD through the local HTTP gateway and the real handlers: validation of the target
 * (https only, no private, link-local or metadata addresses, loopback only in local mode), the once-shown
 * secret stored sealed, tenant isolation, and re-enabling.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalTableName } from '../../../../../shared/definitions/tables.js';
import { vetWebhookUrl } from '../../../../../shared/services/webhooks/manage-webhooks.js';
import { startEventsStack, type EventsStack } from '../../../../support/events-stack.js';

interface Problem {
  status: number;
  detail?: string;
  errors?: { field?: string; pointer?: string; message: string }[];
}
interface WebhookBody {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
  secretPrefix: string;
  sessionIds?: string[];
  tenantId?: string;
}

const namesUrl = (problem: Problem) =>
  (problem.errors ?? []).some((e) => e.field === 'url' || e.pointer === '/url');

describe('webhook subscriptions', () => {
  let stack: EventsStack;

  beforeAll(async () => {
    stack = await startEventsStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a subscription and shows a Standard Webhooks secret once; the stored secret is sealed', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const created = await api.post<WebhookBody>('/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['message.received', 'message.received'],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/webhooks/${created.body.id}`);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.secret?.startsWith(created.body.secretPrefix)).toBe(true);
    expect(created.body.events).toEqual(['message.received']);
    expect(created.body.enabled).toBe(true);
    expect(created.body.tenantId).toBeUndefined();

    const read = await api.get<WebhookBody>(`/v1/webhooks/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(created.body.secret);

    const item = await stack.clients.dynamo.send(
      new GetCommand({
        TableName: physicalTableName(stack.cloud.stack.prefix, 'webhooks'),
        Key: { tenantId, webhookId: created.body.id },
      }),
    );
    const stored = String(item.Item?.signingSecret);
    expect(stored.startsWith('env1:')).toBe(true);
    expect(stored).not.toContain(created.body.secret?.slice('whsec_'.length, 20));
  });

  it.each([
    ['a plain-http public address', 'http://93.184.216.34/hook'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', 'http://10.0.0.1/'],
    ['a private address over https', 'https://10.0.0.1/'],
    ['a link-local address over https', 'https://169.254.169.254/'],
    ['an IPv6 unique-local address', 'https://[fd00::1]/'],
    ['credentials in the URL', 'https://user:pass@93.184.216.34/'],
    ['another scheme', 'ftp://93.184.216.34/'],
    ['not a URL', 'hook'],
  ])('refuses %s with a 400 naming url', async (_what, url) => {
    const { api } = await stack.tenant(['webhooks:manage']);
    const response = await api.post<Problem>('/v1/webhooks', { url });
    expect(response.status).toBe(400);
    expect(namesUrl(response.body)).toBe(true);
  });

  it('outside local mode, https to a name resolving to loopback (localhost) and plain http are refused', async () => {
    await expect(vetWebhookUrl('https://localhost/hook', false)).rejects.toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ field: 'url' })],
    });
    await expect(vetWebhookUrl('http://127.0.0.1:8080/hook', false)).rejects.toMatchObject({ status: 400 });
    await expect(vetWebhookUrl('https://127.0.0.1/hook', true)).resolves.toBeUndefined();
  });

  it('validates the rest of the body: events, sessionIds, unknown fields', async () => {
    const { api } = await stack.tenant(['webhooks:manage']);
    for (const body of [
      { url: 'http://127.0.0.1:9/', events: ['message.sent'] },
      { url: 'http://127.0.0.1:9/', events: [] },
      { url: 'http://127.0.0.1:9/', sessionIds: ['nope'] },
      { url: 'http://127.0.0.1:9/', secret: 'whsec_mine' },
      {},
    ]) {
      const response = await api.post<Problem>('/v1/webhooks', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors?.length).toBeGreaterThan(0);
    }
  });

  it("a session filter names only the tenant's own sessions: another tenant's or an unknown id is a 400 naming it", async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const own = await stack.session(tenantId);
    const foreign = await stack.session((await stack.tenant()).tenantId);
    const refused = await api.post<Problem>('/v1/webhooks', {
      url: 'http://127.0.0.1:9/',
      sessionIds: [own, foreign],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ pointer: '/sessionIds/1', message: expect.stringContaining(foreign) }),
    ]);
    const created = await api.post<WebhookBody>('/v1/webhooks', {
      url: 'http://127.0.0.1:9/',
      sessionIds: [own],
    });
    expect(created.status).toBe(201);
    const patched = await api.call<Problem>('PATCH', `/v1/webhooks/${created.body.id}`, {
      sessionIds: [foreign],
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors?.[0]?.pointer).toBe('/sessionIds/0');
  });

  it("needs webhooks:manage, and another tenant's subscription is a 404 for every route", async () => {
    const owner = await stack.tenant(['webhooks:manage']);
    const other = await stack.tenant(['webhooks:manage']);
    const { body } = await owner.api.post<WebhookBody>('/v1/webhooks', { url: 'http://127.0.0.1:9/' });

    const noScope = await stack.tenant(['sessions:read'], owner.tenantId);
    expect((await noScope.api.get('/v1/webhooks')).status).toBe(403);

    expect((await other.api.get(`/v1/webhooks/${body.id}`)).status).toBe(404);
    expect((await other.api.call('PATCH', `/v1/webhooks/${body.id}`, { enabled: false })).status).toBe(404);
    expect((await other.api.call('DELETE', `/v1/webhooks/${body.id}`)).status).toBe(404);
    expect((await other.api.get(`/v1/webhooks/${body.id}/deliveries`)).status).toBe(404);
    const list = await other.api.get<{ items: WebhookBody[] }>('/v1/webhooks');
    expect(list.body.items).toEqual([]);
    expect((await owner.api.get(`/v1/webhooks/${body.id}`)).status).toBe(200);
  });

  it('lists with a cursor, patches (incl. re-enabling and widening sessions), deletes', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await api.post<WebhookBody>('/v1/webhooks', { url: `http://127.0.0.1:9/${i}` })).body.id);
    }
    const first = await api.get<{ items: WebhookBody[]; cursor?: string }>('/v1/webhooks?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await api.get<{ items: WebhookBody[]; cursor?: string }>(
      `/v1/webhooks?limit=2&cursor=${first.body.cursor}`,
    );
    expect([...first.body.items, ...second.body.items].map((w) => w.id)).toEqual(ids);
    expect((await api.get<Problem>('/v1/webhooks?cursor=garbage')).status).toBe(400);

    const id = ids[0] ?? '';
    const sessionId = await stack.session(tenantId);
    const narrowed = await api.call<WebhookBody>('PATCH', `/v1/webhooks/${id}`, {
      enabled: false,
      sessionIds: [sessionId],
      events: ['session.status'],
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toMatchObject({
      enabled: false,
      sessionIds: [sessionId],
      events: ['session.status'],
    });
    const widened = await api.call<WebhookBody>('PATCH', `/v1/webhooks/${id}`, {
      enabled: true,
      sessionIds: null,
    });
    expect(widened.body.enabled).toBe(true);
    expect(widened.body.sessionIds).toBeUndefined();

    const badPatch = await api.call<Problem>('PATCH', `/v1/webhooks/${id}`, {
      url: 'http://169.254.169.254/',
    });
    expect(badPatch.status).toBe(400);
    expect(namesUrl(badPatch.body)).toBe(true);
    expect((await api.call<Problem>('PATCH', `/v1/webhooks/${id}`, {})).status).toBe(400);

    expect((await api.call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await api.get(`/v1/webhooks/${id}`)).status).toBe(404);
    expect((await api.call('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
  });
});
