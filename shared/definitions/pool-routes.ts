import type { HttpRouteDefinition } from './http-routes.js';

const dir = 'functions/http/pools';

/** Number pools (docs/pools.md; docs/api.md, "Pools"). */
export const POOL_ROUTES: readonly HttpRouteDefinition[] = [
  {
    routeKey: 'POST /v1/pools',
    entry: `${dir}/create`,
    handler: 'handler',
    auth: 'apiKey',
    // sessions: each member is the tenant's.
    access: { tables: { pools: 'readWrite', sessions: 'read' } },
  },
  {
    routeKey: 'GET /v1/pools',
    entry: `${dir}/list`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { pools: 'read' } },
  },
  {
    routeKey: 'GET /v1/pools/{poolId}',
    entry: `${dir}/get`,
    handler: 'handler',
    auth: 'apiKey',
    // sessions: each member's health; pools: the members' loads (stats).
    access: { tables: { pools: 'read', sessions: 'read' } },
  },
  {
    routeKey: 'PATCH /v1/pools/{poolId}',
    entry: `${dir}/update`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { pools: 'readWrite', sessions: 'read' } },
  },
  {
    routeKey: 'DELETE /v1/pools/{poolId}',
    entry: `${dir}/delete`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { pools: 'readWrite', poolAssignments: 'readWrite' } },
  },
  {
    routeKey: 'POST /v1/pools/{poolId}/messages',
    entry: `${dir}/send`,
    handler: 'handler',
    auth: 'apiKey',
    // The session send's transaction (sessions, idempotency, rateLimits, messages, chats) plus the assignment and
    // the member's load; the doorbell; `pool.reassigned` on the bus. messages: replyTo / reaction checks.
    access: {
      tables: {
        pools: 'readWrite',
        poolAssignments: 'readWrite',
        sessions: 'read',
        idempotency: 'readWrite',
        messages: 'readWrite',
        chats: 'readWrite',
      },
      hostCommands: true,
      eventBus: true,
      media: 'read',
    },
  },
  {
    routeKey: 'GET /v1/pools/{poolId}/contacts/{contact}',
    entry: `${dir}/contact`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { pools: 'read', poolAssignments: 'read' } },
  },
];
