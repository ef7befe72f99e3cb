/**
 * HTTP API routes: CDK makes one Lambda integration per route from this list, and the local gateway invokes
 * the same handler modules with real `APIGatewayProxyEventV2` events.
 */

import { CONTACT_ROUTES } from './contact-routes.js';
import { CONTROL_PLANE_ROUTES } from './control-plane-routes.js';
import { GROUP_ROUTES } from './group-routes.js';
import { POOL_ROUTES } from './pool-routes.js';
import type { TableName } from './tables.js';
import { WEBHOOK_ROUTES } from './webhook-routes.js';

export type RouteAuth = 'none' | 'apiKey' | 'operator';

/**
 * What a route's function may touch. CDK turns it into least-privilege grants for that one function; the local
 * cloud ignores it (one process, one set of credentials).
 */
export interface RouteAccess {
  readonly tables?: Partial<Record<TableName, 'read' | 'readWrite'>>;
  /** Looks up host command queues and sends to them (ringing the owner host). */
  readonly hostCommands?: boolean;
  /** Session credentials in the credentials bucket. */
  readonly blobs?: 'read' | 'readWrite';
  /**
   * Media objects (`media/<tenantId>/<mediaId>`) in the media bucket: `read` to download (GetObject, Decrypt),
   * `write` to upload (PutObject, GenerateDataKey), `delete` to remove (DeleteObject, no key use); one of them.
   */
  readonly media?: 'read' | 'write' | 'delete';
  /** PutEvents on the platform's bus. */
  readonly eventBus?: boolean;
  /** SendMessage on the webhook delivery queue (replays). */
  readonly webhookDelivery?: boolean;
  /** Closes browser WebSockets: `execute-api:ManageConnections` on the WebSocket API's stage. */
  readonly closeWebSockets?: boolean;
}

export interface HttpRouteDefinition {
  /** API Gateway route key, e.g. `GET /v1/sessions/{sessionId}`. */
  readonly routeKey: string;
  /** Module path from the repository root, without extension. */
  readonly entry: string;
  readonly handler: string;
  readonly auth: RouteAuth;
  /**
   * Least privilege for this route's function. Every `apiKey` route also gets what the tenant guard
   * (`functions/http/tenant-request.ts`) needs: read `tenants`, read/write `rateLimits`.
   */
  readonly access?: RouteAccess;
  /** Function timeout when a route waits on a host (default 10 s; API Gateway gives up at 30 s). */
  readonly timeoutSeconds?: number;
}

export interface AuthorizerDefinition {
  readonly entry: string;
  readonly handler: string;
  /** Seconds API Gateway may cache an authorization result per identity source (0 = never). */
  readonly resultTtlSeconds: number;
}

/** Lambda request authorizer (simple responses) for `apiKey` and `operator` routes. */
export const HTTP_AUTHORIZER: AuthorizerDefinition = {
  entry: 'functions/http/authorizer',
  handler: 'handler',
  resultTtlSeconds: 0,
};

export const HTTP_ROUTES: readonly HttpRouteDefinition[] = [
  { routeKey: 'GET /v1/health', entry: 'functions/http/health', handler: 'handler', auth: 'none' },
  ...CONTROL_PLANE_ROUTES,
  ...WEBHOOK_ROUTES,
  ...CONTACT_ROUTES,
  ...GROUP_ROUTES,
  ...POOL_ROUTES,
  // Catch-all: unknown routes get a 404 problem document instead of API Gateway's bare `{"message":"Not Found"}`.
  { routeKey: '$default', entry: 'functions/http/not-found', handler: 'handler', auth: 'none' },
];

/** API Gateway HTTP API refuses payloads over 10 MB; the local gateway does the same. */
export const MAX_HTTP_BODY_BYTES = 10 * 1024 * 1024;
