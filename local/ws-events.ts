/**
 * API Gateway WebSocket API events (Lambda proxy integration) as the deployed handlers receive them:
 * `$connect` and `$disconnect` carry the handshake headers (original casing) and `$connect` the query string;
 * messages carry the body; every event has the same request context (connection id, stage, api id...).
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { formatClf, newApiRequestId } from './http-event.js';

export interface WsConnectionInfo {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly domainName: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
}

export interface WsApi {
  readonly apiId: string;
  readonly stage: string;
}

export type WsRequestContext = APIGatewayEventWebsocketRequestContextV2 & {
  readonly identity: { readonly sourceIp: string; readonly userAgent: string };
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
};

/** The type's optional handshake fields are present on `$connect`/`$disconnect`, as on AWS. */
export type WsEvent = APIGatewayProxyWebsocketEventV2 & {
  readonly requestContext: WsRequestContext;
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
};

/** Connection ids look like API Gateway's (`L0SM9cOFvHcCIhw=`) but avoid `+` and `/`, which need URL escaping. */
export function newConnectionId(): string {
  return randomBytes(11).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

export function headersOf(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = rawHeaders[i + 1] ?? '';
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

function context(
  routeKey: string,
  eventType: WsRequestContext['eventType'],
  connection: WsConnectionInfo,
  api: WsApi,
  extra: Partial<WsRequestContext> = {},
): WsRequestContext {
  const now = new Date();
  return {
    routeKey,
    eventType,
    messageId: eventType === 'MESSAGE' ? newApiRequestId() : '',
    extendedRequestId: newApiRequestId(),
    requestTime: formatClf(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId: newApiRequestId(),
    domainName: connection.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...extra,
  };
}

export function connectEvent(connection: WsConnectionInfo, api: WsApi, rawQuery: string): WsEvent {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(single).length > 0;
  return {
    headers: connection.headers,
    multiValueHeaders: connection.multiValueHeaders,
    ...(hasQuery ? { queryStringParameters: single, multiValueQueryStringParameters: multi } : {}),
    requestContext: context('$connect', 'CONNECT', connection, api),
    isBase64Encoded: false,
  };
}

export function messageEvent(
  connection: WsConnectionInfo,
  api: WsApi,
  routeKey: string,
  body: string,
): WsEvent {
  return { requestContext: context(routeKey, 'MESSAGE', connection, api), body, isBase64Encoded: false };
}

export function disconnectEvent(
  connection: WsConnectionInfo,
  api: WsApi,
  code: number,
  reason: string,
): WsEvent {
  return {
    headers: connection.headers,
    multiValueHeaders: connection.multiValueHeaders,
    requestContext: context('$disconnect', 'DISCONNECT', connection, api, {
      disconnectStatusCode: code,
      disconnectReason: reason,
    }),
    isBase64Encoded: false,
  };
}
