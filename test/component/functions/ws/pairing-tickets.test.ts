/**
 * Browser pairing through the real local cloud: tickets issued by `POST /v1/sessions/{id}/ws-tickets`, redeemed
 * by the real `$connect` through the local WebSocket gateway with a real `ws` client, and frames pushed with
 * the real `ApiGatewayWsPusher` over `@connections`.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../local/local-aws.js';
import { ApiGatewayWsPusher } from '../../../../shared/adapters/aws/api-gateway-ws-pusher.js';
import { DynamoWsConnectionRepository } from '../../../../shared/adapters/dynamodb/ws-connection-repository.js';
import { DynamoWsTicketStore } from '../../../../shared/adapters/dynamodb/ws-ticket-store.js';
import { loadAppConfig } from '../../../../shared/config/app-config.js';
import {
  WsServerFrameSchema,
  sessionQrFrame,
  sessionStatusFrame,
} from '../../../../shared/contracts/ws-frames.js';
import { nowIso } from '../../../../shared/domain/ids.js';
import { WS_TICKET_PATTERN } from '../../../../shared/ports/ws-ticket-store.js';
import { eventually } from '../../../support/api-client.js';
import { startEventsStack, type EventsStack } from '../../../support/events-stack.js';

interface TicketBody {
  ticket: string;
  expiresAt: string;
  url: string;
}

function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      ws.close();
      reject(new Error('accepted'));
    });
    ws.once('error', () => undefined);
  });
}

function attempt(url: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => resolve(ws));
    ws.once('error', () => undefined);
  });
}

async function open(url: string): Promise<WebSocket> {
  const result = await attempt(url);
  if (typeof result === 'number') throw new Error(`refused with ${result}`);
  return result;
}

function nextFrame(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
}

describe('browser pairing tickets', () => {
  let stack: EventsStack;
  let connections: DynamoWsConnectionRepository;
  let pusher: ApiGatewayWsPusher;
  let management: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    stack = await startEventsStack();
    const config = loadAppConfig();
    connections = new DynamoWsConnectionRepository({ dynamo: stack.clients.dynamo, config });
    management = new ApiGatewayManagementApiClient({
      endpoint: stack.cloud.stack.connectionsUrl,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    pusher = new ApiGatewayWsPusher({ client: management, connections });
  });
  afterAll(async () => {
    management?.destroy();
    await stack?.stop();
  });

  it("issues a ticket for the caller's own session only: another tenant's session is a 404", async () => {
    const owner = await stack.tenant();
    const other = await stack.tenant();
    const sessionId = await stack.session(owner.tenantId);

    const foreign = await other.api.post(`/v1/sessions/${sessionId}/ws-tickets`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');

    const missing = await owner.api.post(`/v1/sessions/${'0'.repeat(26)}/ws-tickets`);
    expect(missing.status).toBe(404);

    const noScope = await (
      await stack.tenant(['messages:send'], owner.tenantId)
    ).api.post(`/v1/sessions/${sessionId}/ws-tickets`);
    expect(noScope.status).toBe(403);

    const issued = await owner.api.post<TicketBody>(`/v1/sessions/${sessionId}/ws-tickets`);
    expect(issued.status).toBe(201);
    expect(issued.body.ticket).toMatch(WS_TICKET_PATTERN);
    const ttl = Date.parse(issued.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(30_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
    expect(new URL(issued.body.url).searchParams.get('ticket')).toBe(issued.body.ticket);
    expect(issued.body.url.startsWith(stack.cloud.stack.wsUrl)).toBe(true);
  });

  it('a ticket opens one connection for its session; reused, garbage, missing and expired tickets get 401', async () => {
    const { tenantId, api } = await stack.tenant(['sessions:read']);
    const sessionId = await stack.session(tenantId);
    const { body } = await api.post<TicketBody>(`/v1/sessions/${sessionId}/ws-tickets`);

    const ws = await open(body.url);
    const stored = await connections.listBySession(sessionId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ sessionId, tenantId });

    expect(await refusal(body.url)).toBe(401);
    const base = stack.cloud.stack.wsUrl;
    expect(await refusal(`${base}/?ticket=garbage`)).toBe(401);
    expect(await refusal(`${base}/?ticket=wst_${'A'.repeat(43)}`)).toBe(401);
    expect(await refusal(`${base}/`)).toBe(401);

    const store = new DynamoWsTicketStore({ dynamo: stack.clients.dynamo, config: loadAppConfig() });
    const expired = await store.issue({ tenantId, sessionId }, { ttlSeconds: -1 });
    expect(await refusal(`${base}/?ticket=${expired.ticket}`)).toBe(401);

    ws.close();
    await eventually('the connection to be forgotten on $disconnect', async () =>
      (await connections.listBySession(sessionId)).length === 0 ? true : undefined,
    );
  });

  it('a ticket issued before its tenant was suspended, or its session deleted, no longer opens a connection', async () => {
    const suspended = await stack.tenant(['sessions:read']);
    const suspendedSession = await stack.session(suspended.tenantId);
    const beforeSuspension = await suspended.api.post<TicketBody>(
      `/v1/sessions/${suspendedSession}/ws-tickets`,
    );
    expect(beforeSuspension.status).toBe(201);
    await stack.repos.tenants.update(suspended.tenantId, { status: 'suspended' });
    expect(await refusal(beforeSuspension.body.url)).toBe(401);
    expect(await connections.listBySession(suspendedSession)).toEqual([]);

    const { tenantId, api } = await stack.tenant(['sessions:read']);
    const sessionId = await stack.session(tenantId);
    const [beforeDelete, kept] = await Promise.all(
      [1, 2].map(() => api.post<TicketBody>(`/v1/sessions/${sessionId}/ws-tickets`)),
    );
    // The same kind of ticket still works while the session is there (the check is not refusing everything).
    const ws = await open(kept!.body.url);
    await stack.repos.sessions.delete(tenantId, sessionId);
    expect(await refusal(beforeDelete!.body.url)).toBe(401);
    ws.close();
  });

  it('two browsers racing with one ticket get exactly one connection', async () => {
    const { tenantId, api } = await stack.tenant(['sessions:read']);
    const sessionId = await stack.session(tenantId);
    const { body } = await api.post<TicketBody>(`/v1/sessions/${sessionId}/ws-tickets`);
    const results = await Promise.all(Array.from({ length: 5 }, () => attempt(body.url)));
    const opened = results.filter((r): r is WebSocket => typeof r !== 'number');
    expect(opened).toHaveLength(1);
    expect(results.filter((r) => r === 401)).toHaveLength(4);
    opened.forEach((ws) => ws.close());
  });

  it('frames pushed with WsPusher reach the connected browser, and only that session', async () => {
    const { tenantId, api } = await stack.tenant(['sessions:read']);
    const sessionId = await stack.session(tenantId);
    const otherSession = await stack.session(tenantId);
    const ws = await open((await api.post<TicketBody>(`/v1/sessions/${sessionId}/ws-tickets`)).body.url);
    const bystander = await open(
      (await api.post<TicketBody>(`/v1/sessions/${otherSession}/ws-tickets`)).body.url,
    );
    const strayFrames: unknown[] = [];
    bystander.on('message', (data: Buffer) => strayFrames.push(data.toString()));

    const qr = sessionQrFrame({
      sessionId,
      qr: '2@abc,def,ghi,jkl',
      refresh: 1,
      expiresAt: new Date(Date.now() + 20_000).toISOString(),
    });
    const received = nextFrame(ws);
    const result = await pusher.pushToSession(sessionId, qr);
    expect(result).toEqual({ sent: 1, gone: 0, failed: 0 });
    const frame = WsServerFrameSchema.parse(await received);
    expect(frame).toEqual(qr);

    const status = sessionStatusFrame({
      sessionId,
      status: 'connected',
      phone: '+15551234567',
      at: nowIso(),
    });
    const statusReceived = nextFrame(ws);
    await pusher.pushToSession(sessionId, status);
    expect(WsServerFrameSchema.parse(await statusReceived)).toEqual(status);

    // A keep-alive still works on a ticketed connection.
    const pong = nextFrame(ws);
    ws.send(JSON.stringify({ action: 'ping' }));
    expect(WsServerFrameSchema.parse(await pong)).toEqual({ type: 'pong' });

    expect(strayFrames).toEqual([]);
    ws.close();
    bystander.close();
  });
});
