/**
 * The WebSocket API's `@connections` management endpoint (PostToConnection, GetConnection, DeleteConnection),
 * answering exactly what the real `@aws-sdk/client-apigatewaymanagementapi` parses: a connection that is
 * unknown or closed is HTTP 410 with `x-amzn-ErrorType: GoneException`, so callers get a `GoneException`.
 * Requests are not SigV4-verified locally (AWS would answer 403 ForbiddenException without IAM rights).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { WsConnectionInfo } from './ws-events.js';

export interface LiveConnection {
  readonly ws: WebSocket;
  readonly info: WsConnectionInfo;
  lastActiveAt: number;
}

/** The SDK puts the stage in the endpoint (`https://id.execute-api.../prod`), so any one-segment prefix is fine. */
const CONNECTIONS_PATH = /^(?:\/[^/]+)?\/@connections\/([^/?]+)\/?(?:\?.*)?$/;

export function isConnectionsPath(url: string): boolean {
  return CONNECTIONS_PATH.test(url);
}

export async function handleConnectionsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  connections: ReadonlyMap<string, LiveConnection>,
  maxMessageBytes: number,
): Promise<void> {
  const id = decodeURIComponent(CONNECTIONS_PATH.exec(req.url ?? '')?.[1] ?? '');
  const body = await readLimited(req, maxMessageBytes);
  const live = connections.get(id);
  const open = live && live.ws.readyState === live.ws.OPEN;
  if (!live || !open) return error(res, 410, 'GoneException', undefined);
  switch (req.method) {
    case 'POST': {
      if (body === 'too-large') {
        return error(
          res,
          413,
          'PayloadTooLargeException',
          `Message too long. Max length is ${maxMessageBytes} bytes.`,
        );
      }
      live.lastActiveAt = Date.now();
      live.ws.send(isUtf8(body) ? body.toString('utf8') : body);
      return json(res, 200, undefined);
    }
    case 'GET':
      return json(res, 200, {
        connectedAt: new Date(live.info.connectedAt).toISOString(),
        identity: { sourceIp: live.info.sourceIp, userAgent: live.info.userAgent },
        lastActiveAt: new Date(live.lastActiveAt).toISOString(),
      });
    case 'DELETE':
      live.ws.close(1000, 'Connection deleted');
      res.writeHead(204).end();
      return;
    default:
      return error(res, 405, 'MethodNotAllowedException', `Method ${req.method ?? ''} not allowed`);
  }
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? 'too-large' : Buffer.concat(chunks);
}

function isUtf8(data: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function error(res: ServerResponse, status: number, type: string, message: string | undefined): void {
  const payload = JSON.stringify(message === undefined ? {} : { message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-ErrorType': type,
  });
  res.end(payload);
}
