import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../../local/local-aws.js';
import { silentLog } from '../../../../../local/log.js';
import { startWsGateway, type RunningWsGateway } from '../../../../../local/ws-gateway.js';
import { ApiGatewayWsPusher } from '../../../../../shared/adapters/aws/api-gateway-ws-pusher.js';
import { DynamoWsConnectionRepository } from '../../../../../shared/adapters/dynamodb/ws-connection-repository.js';
import { newId } from '../../../../../shared/domain/ids.js';
import type { WsRouteDefinition } from '../../../../../shared/definitions/ws-routes.js';
import { startAwsEmulators, type AwsEmulators } from '../../../../support/aws-emulators.js';

const FIXTURES = 'test/support/fixtures/ws-handlers';
const ROUTES: WsRouteDefinition[] = [
  { routeKey: '$connect', entry: FIXTURES, handler: 'connect' },
  { routeKey: '$default', entry: FIXTURES, handler: 'fallback', returnResponse: true },
];

function open(url: string): Promise<{ ws: WebSocket; connectionId: string; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    ws.once('error', reject);
    ws.once('open', () => {
      ws.once('message', (data: Buffer) => {
        const event = JSON.parse(data.toString('utf8')) as { requestContext: { connectionId: string } };
        ws.on('message', (frame: Buffer) => messages.push(frame.toString('utf8')));
        resolve({ ws, connectionId: event.requestContext.connectionId, messages });
      });
      ws.send(JSON.stringify({ action: 'whoami' }));
    });
  });
}

describe('ApiGatewayWsPusher', () => {
  let emulators: AwsEmulators;
  let gateway: RunningWsGateway;
  let client: ApiGatewayManagementApiClient;
  let repo: DynamoWsConnectionRepository;
  let pusher: ApiGatewayWsPusher;
  const errors: string[] = [];

  beforeAll(async () => {
    [emulators, gateway] = await Promise.all([
      startAwsEmulators(),
      startWsGateway({ routes: ROUTES, maxMessageBytes: 4096, log: silentLog }),
    ]);
    client = new ApiGatewayManagementApiClient({
      endpoint: gateway.connectionsUrl,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    repo = new DynamoWsConnectionRepository({ dynamo: emulators.clients.dynamo, config: emulators.config });
    pusher = new ApiGatewayWsPusher({ client, connections: repo, onError: (id) => errors.push(id) });
  });
  afterAll(async () => {
    client?.destroy();
    await gateway?.stop();
    await emulators?.stop();
  });

  const store = (sessionId: string, connectionId: string) =>
    repo.put({
      connectionId,
      sessionId,
      tenantId: newId(),
      connectedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });

  it('posts the frame to every live connection of the session and deletes the gone ones', async () => {
    const session = newId();
    const other = newId();
    const [a, b, c] = await Promise.all([open(gateway.url), open(gateway.url), open(gateway.url)]);
    await store(session, a.connectionId);
    await store(session, b.connectionId);
    await store(session, 'closed-long-ago');
    await store(other, c.connectionId);

    const result = await pusher.pushToSession(session, { type: 'session.qr', qr: '2@abc' });
    expect(result).toEqual({ sent: 2, gone: 1, failed: 0 });
    await expect.poll(() => a.messages.length + b.messages.length).toBe(2);
    expect(JSON.parse(a.messages[0] ?? '')).toEqual({ type: 'session.qr', qr: '2@abc' });
    expect(JSON.parse(b.messages[0] ?? '')).toEqual({ type: 'session.qr', qr: '2@abc' });
    expect(c.messages).toEqual([]);
    expect((await repo.listBySession(session)).map((x) => x.connectionId).sort()).toEqual(
      [a.connectionId, b.connectionId].sort(),
    );
    for (const { ws } of [a, b, c]) ws.close();
  });

  it('counts a non-gone failure without deleting the connection', async () => {
    const session = newId();
    const a = await open(gateway.url);
    await store(session, a.connectionId);
    const result = await pusher.pushToSession(session, { type: 'big', pad: 'x'.repeat(8192) });
    expect(result).toEqual({ sent: 0, gone: 0, failed: 1 });
    expect(errors).toContain(a.connectionId);
    expect(await repo.listBySession(session)).toHaveLength(1);
    a.ws.close();
  });

  it("pushes to a tenant's room: its tenant-wide connections and the session's, deleting the gone ones", async () => {
    const tenantId = newId();
    const session = newId();
    const [wide, bound, elsewhere, foreign] = await Promise.all([1, 2, 3, 4].map(() => open(gateway.url)));
    const put = (connectionId: string, owner: string, sessionId?: string) =>
      repo.put({
        connectionId,
        tenantId: owner,
        ...(sessionId === undefined ? {} : { sessionId }),
        connectedAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 600,
      });
    await put(wide!.connectionId, tenantId);
    await put(bound!.connectionId, tenantId, session);
    await put('wide-closed-long-ago', tenantId);
    await put(elsewhere!.connectionId, tenantId, newId());
    await put(foreign!.connectionId, newId());

    const frame = { type: 'message.status', id: newId(), data: { status: 'read' } };
    expect(await pusher.pushToRoom(tenantId, session, frame)).toEqual({ sent: 2, gone: 1, failed: 0 });
    await expect.poll(() => wide!.messages.length + bound!.messages.length).toBe(2);
    expect(JSON.parse(wide!.messages[0] ?? '')).toEqual(frame);
    expect(JSON.parse(bound!.messages[0] ?? '')).toEqual(frame);
    expect(elsewhere!.messages).toEqual([]);
    expect(foreign!.messages).toEqual([]);
    expect((await repo.listByTenant(tenantId)).map((c) => c.connectionId)).not.toContain(
      'wide-closed-long-ago',
    );
    for (const { ws } of [wide!, bound!, elsewhere!, foreign!]) ws.close();
  });

  it('sends nothing for a session without connections', async () => {
    expect(await pusher.pushToSession(newId(), { type: 'session.status' })).toEqual({
      sent: 0,
      gone: 0,
      failed: 0,
    });
  });
});
