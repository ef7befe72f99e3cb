import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_CREDENTIALS } from '../../../../local/local-aws.js';
import { silentLog } from '../../../../local/log.js';
import { startWsGateway, type RunningWsGateway } from '../../../../local/ws-gateway.js';
import { connectEvent } from '../../../../local/ws-events.js';
import { DynamoWsConnectionRepository } from '../../../../shared/adapters/dynamodb/ws-connection-repository.js';
import { WS_ROUTES, type WsRouteDefinition } from '../../../../shared/definitions/ws-routes.js';
import { newId } from '../../../../shared/domain/ids.js';
import type { WsTicketVerifier } from '../../../../shared/ports/ws-ticket-verifier.js';
import { createConnectHandler } from '../../../../functions/ws/connect.js';
import { startAwsEmulators, type AwsEmulators } from '../../../support/aws-emulators.js';

function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('accepted')));
    ws.once('error', () => undefined);
  });
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** What the local gateway hands `$connect` for a browser opening `?<query>` as connection `connectionId`. */
function connecting(connectionId: string, query: string, connectedAt = Date.now()) {
  const info = {
    connectionId,
    connectedAt,
    domainName: 'localhost',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    headers: {},
    multiValueHeaders: {},
  };
  return connectEvent(info, { apiId: 'localws', stage: 'local' }, query);
}

const reply = (ws: WebSocket, message: string) =>
  new Promise<unknown>((resolve) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8'))));
    ws.send(message);
  });

describe('WebSocket handlers', () => {
  let emulators: AwsEmulators;
  let real: RunningWsGateway;
  let accepting: RunningWsGateway;
  let repo: DynamoWsConnectionRepository;
  const saved = { ...process.env };

  beforeAll(async () => {
    emulators = await startAwsEmulators();
    // The real handlers build their repository from the environment, as on Lambda.
    Object.assign(process.env, {
      AWS_REGION: emulators.config.AWS_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
      APP_RESOURCE_PREFIX: emulators.prefix,
      APP_CREDENTIALS_BUCKET: emulators.config.APP_CREDENTIALS_BUCKET,
      APP_MEDIA_BUCKET: emulators.config.APP_MEDIA_BUCKET,
    });
    repo = new DynamoWsConnectionRepository({ dynamo: emulators.clients.dynamo, config: emulators.config });
    const withFixtureConnect: WsRouteDefinition[] = WS_ROUTES.map((r) =>
      r.routeKey === '$connect'
        ? { ...r, entry: 'test/support/fixtures/ws-handlers', handler: 'connect' }
        : r,
    );
    [real, accepting] = await Promise.all([
      startWsGateway({ log: silentLog }),
      startWsGateway({ routes: withFixtureConnect, log: silentLog }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([real?.stop(), accepting?.stop()]);
    await emulators?.stop();
    process.env = saved;
  });

  it('$connect refuses a browser without a ticket or with a malformed one (no table lookup needed)', async () => {
    expect(await refusal(real.url)).toBe(401);
    expect(await refusal(`${real.url}/?ticket=`)).toBe(401);
    expect(await refusal(`${real.url}/?ticket=anything`)).toBe(401);
  });

  it('a handler built without a verifier refuses every ticket (fails closed)', async () => {
    const connect = createConnectHandler({
      verifier: undefined,
      admission: async () => true,
      connections: () => repo,
      maxConnectionsPerTenant: () => 50,
    });
    const ticket = `ticket=wst_${'A'.repeat(43)}`;
    expect(await connect(connecting('conn-no-verifier', ticket))).toEqual({ statusCode: 401 });
  });

  it("$connect with a verifier stores the connection for the ticket's session, and refuses a bad ticket", async () => {
    const grant = { tenantId: newId(), sessionId: newId() };
    const redeemed: string[] = [];
    const verifier: WsTicketVerifier = {
      redeem: async (ticket) => {
        redeemed.push(ticket);
        return ticket === 'good' ? grant : null;
      },
    };
    // Admission (tenant active, session there) is the pairing-tickets test's subject; here it admits all.
    const admitted: unknown[] = [];
    const connect = createConnectHandler({
      verifier,
      admission: async (g) => {
        admitted.push(g);
        return true;
      },
      connections: () => repo,
      maxConnectionsPerTenant: () => 50,
    });
    const connectedAt = Date.now();
    expect(await connect(connecting('conn-handler-1', 'ticket=bad', connectedAt))).toEqual({
      statusCode: 401,
    });
    expect(await repo.listBySession(grant.sessionId)).toEqual([]);
    expect(await connect(connecting('conn-handler-1', 'ticket=good', connectedAt))).toEqual({
      statusCode: 200,
    });
    const [stored] = await repo.listBySession(grant.sessionId);
    expect(stored).toMatchObject({ connectionId: 'conn-handler-1', tenantId: grant.tenantId });
    expect(stored?.expiresAt).toBe(Math.floor(connectedAt / 1000) + 7200);
    expect(redeemed).toEqual(['bad', 'good']);
    expect(admitted).toEqual([grant]);
  });

  it("$connect stores a tenant-wide ticket's connection with no session: listed by tenant, not by session", async () => {
    const tenantId = newId();
    const sessionId = newId();
    const grants = [{ tenantId }, { tenantId, sessionId }];
    const connect = createConnectHandler({
      verifier: { redeem: async () => grants.shift() ?? null },
      admission: async () => true,
      connections: () => repo,
      maxConnectionsPerTenant: () => 50,
    });
    expect(await connect(connecting('conn-tenant-wide', 'ticket=good'))).toEqual({ statusCode: 200 });
    expect(await connect(connecting('conn-session-bound', 'ticket=good'))).toEqual({ statusCode: 200 });
    const byTenant = await repo.listByTenant(tenantId);
    expect(byTenant.map((c) => [c.connectionId, c.sessionId])).toEqual([
      ['conn-session-bound', sessionId],
      ['conn-tenant-wide', undefined],
    ]);
    expect((await repo.listBySession(sessionId)).map((c) => c.connectionId)).toEqual(['conn-session-bound']);
  });

  it('$connect refuses a redeemed ticket its admission turns down, and stores nothing', async () => {
    const grant = { tenantId: newId(), sessionId: newId() };
    const connect = createConnectHandler({
      verifier: { redeem: async () => grant },
      admission: async () => false,
      connections: () => repo,
      maxConnectionsPerTenant: () => 50,
    });
    expect(await connect(connecting('conn-not-admitted', 'ticket=good'))).toEqual({ statusCode: 401 });
    expect(await repo.listBySession(grant.sessionId)).toEqual([]);
  });

  it('$default answers ping with pong and anything else with an error frame', async () => {
    const ws = await open(accepting.url);
    expect(await reply(ws, '{"action":"ping"}')).toEqual({ type: 'pong' });
    expect(await reply(ws, '{"action":"subscribe"}')).toMatchObject({ type: 'error', status: 400 });
    expect(await reply(ws, 'not json')).toMatchObject({ type: 'error', status: 400 });
    ws.close();
  });

  it('$disconnect deletes the connection item', async () => {
    const before = new Set(accepting.connectionIds());
    const ws = await open(accepting.url);
    const connectionId = accepting.connectionIds().find((id) => !before.has(id));
    if (!connectionId) throw new Error('no connection');
    const sessionId = newId();
    await repo.put({
      connectionId,
      sessionId,
      tenantId: newId(),
      connectedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    ws.close();
    await expect.poll(() => repo.listBySession(sessionId), { timeout: 5_000 }).toEqual([]);
  });
});
