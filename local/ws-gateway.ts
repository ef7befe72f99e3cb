/**
 * A local API Gateway WebSocket API on one port: WebSocket upgrades run `$connect` (a non-2xx result refuses
 * the handshake with that status), text messages are routed by `$request.body.action` falling back to
 * `$default`, closes run `$disconnect`; `/@connections/{id}` is the management API the real
 * `@aws-sdk/client-apigatewaymanagementapi` talks to (see ws-connections-api.ts).
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { MAX_WS_MESSAGE_BYTES, WS_ROUTES, type WsRouteDefinition } from '../shared/definitions/ws-routes.js';
import { DEFAULT_ROOT } from './http-gateway.js';
import { invokeLambda, lazyFunction, type LambdaFunction } from './lambda-runtime.js';
import { LOCAL_REGION } from './local-aws.js';
import { consoleLog, type LocalLog } from './log.js';
import { handleConnectionsRequest, isConnectionsPath, type LiveConnection } from './ws-connections-api.js';
import {
  connectEvent,
  disconnectEvent,
  headersOf,
  messageEvent,
  newConnectionId,
  type WsApi,
  type WsConnectionInfo,
} from './ws-events.js';

export interface WsGatewayOptions {
  readonly root?: string;
  readonly routes?: readonly WsRouteDefinition[];
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly apiId?: string;
  readonly stage?: string;
  readonly maxMessageBytes?: number;
  /** WebSocket API integrations time out after 29 s. */
  readonly integrationTimeoutMs?: number;
  readonly log?: LocalLog;
}

export interface RunningWsGateway {
  /** `ws://` URL clients connect to. */
  readonly url: string;
  /** Endpoint for `ApiGatewayManagementApiClient` (PostToConnection & co.). */
  readonly connectionsUrl: string;
  readonly port: number;
  connectionIds(): string[];
  stop(): Promise<void>;
}

interface Route {
  readonly definition: WsRouteDefinition;
  readonly fn: LambdaFunction;
}

const ResultSchema = z
  .object({ statusCode: z.number().int().optional(), body: z.string().optional() })
  .loose()
  .nullish();

const ActionSchema = z.object({ action: z.string() });

export async function startWsGateway(options: WsGatewayOptions = {}): Promise<RunningWsGateway> {
  const root = options.root ?? DEFAULT_ROOT;
  const log = options.log ?? consoleLog;
  const region = options.region ?? LOCAL_REGION;
  const api: WsApi = { apiId: options.apiId ?? 'localws', stage: options.stage ?? 'local' };
  const maxMessageBytes = options.maxMessageBytes ?? MAX_WS_MESSAGE_BYTES;
  const timeoutMs = options.integrationTimeoutMs ?? 29_000;
  const routes = new Map<string, Route>(
    (options.routes ?? WS_ROUTES).map((definition) => [
      definition.routeKey,
      { definition, fn: lazyFunction(root, definition.entry, definition.handler, timeoutMs) },
    ]),
  );
  const connections = new Map<string, LiveConnection>();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  async function invoke(routeKey: string, event: unknown): Promise<z.infer<typeof ResultSchema>> {
    const route = routes.get(routeKey);
    if (!route) return undefined;
    const parsed = ResultSchema.safeParse(await invokeLambda(route.fn, event, region));
    if (!parsed.success) throw new Error(`${routeKey} returned a malformed result: ${parsed.error.message}`);
    return parsed.data;
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const { headers, multiValueHeaders } = headersOf(req.rawHeaders);
    const info: WsConnectionInfo = {
      connectionId: newConnectionId(),
      connectedAt: Date.now(),
      domainName: req.headers.host ?? '127.0.0.1',
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: req.headers['user-agent'] ?? '',
      headers,
      multiValueHeaders,
    };
    let status: number;
    try {
      const result = await invoke('$connect', connectEvent(info, api, url.split('?')[1] ?? ''));
      status = result?.statusCode ?? 200;
    } catch (error) {
      log('error', '$connect failed', { connectionId: info.connectionId, error });
      status = 500;
    }
    if (status < 200 || status > 299) return refuse(socket, status);
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, info));
  }

  function accept(ws: WebSocket, info: WsConnectionInfo): void {
    const live: LiveConnection = { ws, info, lastActiveAt: Date.now() };
    connections.set(info.connectionId, live);
    ws.on('message', (data, isBinary) => {
      live.lastActiveAt = Date.now();
      // API Gateway WebSocket APIs do not route binary frames.
      if (isBinary) return ws.close(1003, 'Binary frames are not supported');
      void track(onMessage(live, Buffer.isBuffer(data) ? data.toString('utf8') : String(data)));
    });
    ws.on('error', (error) => log('warn', 'WebSocket error', { connectionId: info.connectionId, error }));
    ws.once('close', (code, reason) => {
      connections.delete(info.connectionId);
      const event = disconnectEvent(info, api, code, reason.toString('utf8'));
      void track(
        invoke('$disconnect', event).catch((error: unknown) =>
          log('error', '$disconnect failed', { connectionId: info.connectionId, error }),
        ),
      );
    });
  }

  async function onMessage(live: LiveConnection, body: string): Promise<void> {
    const action = safeAction(body);
    const routeKey = action && routes.has(action) ? action : '$default';
    const route = routes.get(routeKey);
    const event = messageEvent(live.info, api, routeKey, body);
    if (!route)
      return sendFrame(live, {
        message: 'Forbidden',
        connectionId: live.info.connectionId,
        requestId: event.requestContext.requestId,
      });
    try {
      const result = await invoke(routeKey, event);
      // Only routes with a route response (two-way) send the integration's body back to the client.
      if (route.definition.returnResponse && result?.body !== undefined) sendRaw(live, result.body);
    } catch (error) {
      log('error', `${routeKey} failed`, { connectionId: live.info.connectionId, error });
      sendFrame(live, {
        message: 'Internal server error',
        connectionId: live.info.connectionId,
        requestId: event.requestContext.requestId,
      });
    }
  }

  const server = createServer((req, res) => {
    if (!isConnectionsPath(req.url ?? '')) {
      res.writeHead(426, { 'content-type': 'application/json' }).end('{"message":"Upgrade Required"}');
      return;
    }
    track(handleConnectionsRequest(req, res, connections, maxMessageBytes)).catch((error: unknown) => {
      log('error', '@connections request failed', { error });
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal server error"}');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    track(upgrade(req, socket, head)).catch((error: unknown) => {
      log('error', 'WebSocket upgrade failed', { error });
      refuse(socket, 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    connectionsUrl: `http://127.0.0.1:${port}`,
    port,
    connectionIds: () => [...connections.keys()],
    async stop() {
      await Promise.all([...connections.values()].map(({ ws }) => closeSocket(ws)));
      while (pending.size > 0) await Promise.allSettled([...pending]);
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function safeAction(body: string): string | undefined {
  try {
    const parsed = ActionSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.action : undefined;
  } catch {
    return undefined;
  }
}

function sendFrame(live: LiveConnection, frame: unknown): void {
  sendRaw(live, JSON.stringify(frame));
}

function sendRaw(live: LiveConnection, data: string): void {
  if (live.ws.readyState === live.ws.OPEN) live.ws.send(data);
}

function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: STATUS_CODES[status] ?? 'Error' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Closes politely, then hard after a second, so stop() never hangs on an unresponsive client. */
function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), 1_000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'Going away');
  });
}
