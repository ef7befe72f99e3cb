import type { HttpRouteDefinition } from './http-routes.js';

const dir = 'functions/http/webhooks';

/**
 * Webhook subscriptions, their delivery log and replay, and browser WebSocket tickets. Each route declares the
 * least it touches. Writing `webhooks` also covers sealing the signing secret: the table grant on the app's one
 * KMS key includes data-key generation for that key (docs/events-and-webhooks.md).
 */
export const WEBHOOK_ROUTES: readonly HttpRouteDefinition[] = [
  {
    routeKey: 'POST /v1/sessions/{sessionId}/ws-tickets',
    entry: 'functions/http/ws-tickets',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read', wsTickets: 'readWrite' } },
  },
  {
    routeKey: 'POST /v1/webhooks',
    entry: `${dir}/create-webhook`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'readWrite' } },
  },
  {
    routeKey: 'GET /v1/webhooks',
    entry: `${dir}/list-webhooks`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'read' } },
  },
  {
    routeKey: 'GET /v1/webhooks/{webhookId}',
    entry: `${dir}/get-webhook`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'read' } },
  },
  {
    routeKey: 'PATCH /v1/webhooks/{webhookId}',
    entry: `${dir}/update-webhook`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'readWrite' } },
  },
  {
    routeKey: 'DELETE /v1/webhooks/{webhookId}',
    entry: `${dir}/delete-webhook`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'readWrite' } },
  },
  {
    routeKey: 'GET /v1/webhooks/{webhookId}/deliveries',
    entry: `${dir}/list-deliveries`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'read', deliveries: 'read' } },
  },
  {
    routeKey: 'POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
    entry: `${dir}/retry-delivery`,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { webhooks: 'read', deliveries: 'readWrite' }, webhookDelivery: true },
  },
  // A tenant-wide socket's ticket (the console): no session to look up.
  {
    routeKey: 'POST /v1/ws-tickets',
    entry: 'functions/http/tenant-ws-tickets',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { wsTickets: 'readWrite' } },
  },
];
