import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_ROOT } from '../../../local/http-gateway.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';
import { startWsGateway, type RunningWsGateway } from '../../../local/ws-gateway.js';
import type { WsRouteDefinition } from '../../../shared/definitions/ws-routes.js';

const FIXTURES = 'test/support/fixtures/ws-handlers';
const ROUTES: WsRouteDefinition[] = [
  { routeKey: '$connect', entry: FIXTURES, handler: 'connect' },
  { routeKey: '$disconnect', entry: FIXTURES, handler: 'disconnect' },
  { routeKey: '$default', entry: FIXTURES, handler: 'fallback', returnResponse: true },
];

interface Fixtures {
  disconnects: { requestContext: { connectionId: string; eventType: string; routeKey: string } }[];
}

/** The same module instance the gateway loaded, to read what `$disconnect` saw. */
const fixtures = () =>
  import(pathToFileURL(resolve(DEFAULT_ROOT, `${FIXTURES}.ts`)).href) as Promise<Fixtures>;

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolveOpen, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolveOpen(ws));
    ws.once('error', reject);
  });
}

function refusal(url: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolveStatus(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('open', () => reject(new Error('connection was accepted')));
    ws.once('error', () => undefined);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolveMessage) =>
    ws.once('message', (data: Buffer) => resolveMessage(data.toString('utf8'))),
  );
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolveClose) => ws.once('close', (code) => resolveClose(code)));
}

async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('local WebSocket gateway', () => {
  let gateway: RunningWsGateway;
  let management: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    gateway = await startWsGateway({ routes: ROUTES, maxMessageBytes: 1024, log: silentLog });
    management = new ApiGatewayManagementApiClient({
      endpoint: `${gateway.connectionsUrl}/local`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    management?.destroy();
    await gateway?.stop();
  });

  const connectionIdOf = async (ws: WebSocket): Promise<string> => {
    ws.send(JSON.stringify({ action: 'whoami' }));
    const event = JSON.parse(await nextMessage(ws)) as { requestContext: { connectionId: string } };
    return event.requestContext.connectionId;
  };

  it('runs $connect with the handshake headers and query, and routes messages to $default', async () => {
    const ws = await open(`${gateway.url}/?ticket=abc&x=1`, { 'X-Client': 'test' });
    ws.send(JSON.stringify({ action: 'whoami' }));
    const connect = JSON.parse(await nextMessage(ws)) as {
      headers: Record<string, string>;
      queryStringParameters: Record<string, string>;
      multiValueQueryStringParameters: Record<string, string[]>;
      requestContext: Record<string, unknown>;
      isBase64Encoded: boolean;
    };
    expect(connect.queryStringParameters).toEqual({ ticket: 'abc', x: '1' });
    expect(connect.multiValueQueryStringParameters).toEqual({ ticket: ['abc'], x: ['1'] });
    expect(connect.headers['X-Client']).toBe('test');
    expect(connect.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'local',
      apiId: 'localws',
      identity: { sourceIp: '127.0.0.1' },
    });
    const connectionId = connect.requestContext.connectionId as string;
    expect(connectionId).toMatch(/^[A-Za-z0-9]+=*$/);
    expect(gateway.connectionIds()).toContain(connectionId);

    ws.send(JSON.stringify({ action: 'ping' }));
    const message = JSON.parse(await nextMessage(ws)) as {
      body: string;
      requestContext: Record<string, unknown>;
    };
    expect(message.body).toBe('{"action":"ping"}');
    expect(message.requestContext).toMatchObject({
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectionId,
      connectedAt: connect.requestContext.connectedAt,
    });
    ws.close();
  });

  it('delivers PostToConnection from the real SDK client and answers GetConnection', async () => {
    const ws = await open(gateway.url, { 'User-Agent': 'ws-test' });
    const connectionId = await connectionIdOf(ws);
    const received = nextMessage(ws);
    await management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"session.qr"}' }),
    );
    expect(await received).toBe('{"type":"session.qr"}');
    const info = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'ws-test' });
    ws.close();
  });

  it('raises GoneException after the client closed, and runs $disconnect', async () => {
    const ws = await open(gateway.url);
    const connectionId = await connectionIdOf(ws);
    ws.close(1000);
    await eventually(() => (gateway.connectionIds().includes(connectionId) ? undefined : true));
    const error = await management
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoneException);
    expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
    await expect(
      management.send(new GetConnectionCommand({ ConnectionId: 'never-existed' })),
    ).rejects.toBeInstanceOf(GoneException);
    const { disconnects } = await fixtures();
    const seen = await eventually(() =>
      disconnects.find((d) => d.requestContext.connectionId === connectionId),
    );
    expect(seen.requestContext).toMatchObject({ routeKey: '$disconnect', eventType: 'DISCONNECT' });
  });

  it('closes the client on DeleteConnection', async () => {
    const ws = await open(gateway.url);
    const connectionId = await connectionIdOf(ws);
    const code = closed(ws);
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect(await code).toBe(1000);
  });

  it('refuses the upgrade with the status $connect returned, and 500 when it crashes', async () => {
    expect(await refusal(`${gateway.url}/?deny=401`)).toBe(401);
    expect(await refusal(`${gateway.url}/?deny=403`)).toBe(403);
    expect(await refusal(`${gateway.url}/?crash=1`)).toBe(500);
  });

  it("answers a crashed message handler with API Gateway's error frame and keeps the connection", async () => {
    const ws = await open(gateway.url);
    ws.send(JSON.stringify({ action: 'crash' }));
    expect(JSON.parse(await nextMessage(ws))).toMatchObject({ message: 'Internal server error' });
    ws.send(JSON.stringify({ action: 'still-there' }));
    expect(JSON.parse(await nextMessage(ws))).toMatchObject({ body: '{"action":"still-there"}' });
    ws.close();
  });

  it('enforces the message size limit both ways and refuses binary frames', async () => {
    const big = await open(gateway.url);
    const bigClosed = closed(big);
    big.send('x'.repeat(2048));
    expect(await bigClosed).toBe(1009);

    const ws = await open(gateway.url);
    const connectionId = await connectionIdOf(ws);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(2048) })),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
    const binaryClosed = closed(ws);
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await binaryClosed).toBe(1003);
  });
});

describe('local WebSocket gateway stop', () => {
  it('closes open connections, runs their $disconnect and frees the port', async () => {
    const gateway = await startWsGateway({ routes: ROUTES, log: silentLog });
    const ws = await open(gateway.url);
    const code = closed(ws);
    await gateway.stop();
    expect(await code).toBe(1001);
    await expect(open(gateway.url)).rejects.toThrow();
  });
});
