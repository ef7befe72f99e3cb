/** OpenAPI operations of the webhook and WebSocket-ticket routes (`WEBHOOK_ROUTES`). */
import * as z from 'zod';
import { DeliverySchema } from '../../../shared/domain/delivery.js';
import { IdSchema, TimestampSchema } from '../../../shared/domain/ids.js';
import {
  CreateWebhookRequestSchema,
  PatchWebhookRequestSchema,
  WebhookSubscriptionSchema,
} from '../../../shared/domain/webhook.js';
import { pageSchema } from '../../../shared/services/views.js';
import { DeliveryPathSchema, PageQuerySchema, WebhookPathSchema } from '../webhooks/schemas.js';
import type { OperationSpec } from './operation.js';

const WebhookViewSchema = WebhookSubscriptionSchema.omit({ tenantId: true });
const CreatedWebhookSchema = WebhookViewSchema.extend({
  secret: z.string().describe('Standard Webhooks signing secret (`whsec_...`), shown once'),
});
const DeliveryViewSchema = DeliverySchema.omit({ tenantId: true, replayedAtAttempts: true });
const WsTicketViewSchema = z.object({
  ticket: z.string().describe('Single use, valid 60 s'),
  expiresAt: TimestampSchema,
  url: z.string().optional().describe('The WebSocket URL with `?ticket=`'),
});

export const WEBHOOK_OPERATIONS: readonly OperationSpec[] = [
  {
    routeKey: 'POST /v1/sessions/{sessionId}/ws-tickets',
    operationId: 'createWsTicket',
    summary: 'A ticket for the browser pairing WebSocket',
    description:
      'Open `url` (or the WebSocket URL with `?ticket=`) within 60 s; the ticket works once. The socket then ' +
      'receives `session.qr` and `session.status` frames for this session (docs/browser-pairing.md), and the ' +
      "session's `message.received`, `message.status`, `chat.updated`, `session.status`, " +
      '`session.restricted` and `presence.updated` events (docs/api.md, "WebSocket"). A tenant holds at most ' +
      '`APP_WS_MAX_CONNECTIONS_PER_TENANT` sockets (default 50): over it the connection is refused with 429.',
    tag: 'sessions',
    scopes: ['sessions:read'],
    path: z.object({ sessionId: IdSchema }),
    responses: { 201: { description: 'The ticket', schema: WsTicketViewSchema } },
  },
  {
    routeKey: 'POST /v1/webhooks',
    operationId: 'createWebhook',
    summary: 'Subscribe an HTTPS endpoint to events',
    description:
      'The URL must be https and resolve to public addresses only. The signing secret is shown once; deliveries ' +
      'are signed per Standard Webhooks (docs/events-and-webhooks.md).',
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    body: CreateWebhookRequestSchema,
    responses: {
      201: {
        description: 'The subscription and its secret',
        schema: CreatedWebhookSchema,
        headers: { Location: 'URL of the new resource' },
      },
    },
  },
  {
    routeKey: 'GET /v1/webhooks',
    operationId: 'listWebhooks',
    summary: "List the tenant's webhook subscriptions",
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    query: PageQuerySchema,
    responses: { 200: { description: 'A page of subscriptions', schema: pageSchema(WebhookViewSchema) } },
  },
  {
    routeKey: 'GET /v1/webhooks/{webhookId}',
    operationId: 'getWebhook',
    summary: 'Read a webhook subscription',
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    path: WebhookPathSchema,
    responses: { 200: { description: 'The subscription', schema: WebhookViewSchema } },
  },
  {
    routeKey: 'PATCH /v1/webhooks/{webhookId}',
    operationId: 'updateWebhook',
    summary: 'Change a subscription, or re-enable it',
    description: '`enabled: true` re-enables an endpoint the platform disabled after a long failure streak.',
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    path: WebhookPathSchema,
    body: PatchWebhookRequestSchema,
    responses: { 200: { description: 'The subscription', schema: WebhookViewSchema } },
  },
  {
    routeKey: 'DELETE /v1/webhooks/{webhookId}',
    operationId: 'deleteWebhook',
    summary: 'Delete a subscription',
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    path: WebhookPathSchema,
    responses: { 204: { description: 'Deleted' } },
  },
  {
    routeKey: 'GET /v1/webhooks/{webhookId}/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log of a subscription, newest first (30 days)',
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    path: WebhookPathSchema,
    query: PageQuerySchema,
    responses: { 200: { description: 'A page of deliveries', schema: pageSchema(DeliveryViewSchema) } },
  },
  {
    routeKey: 'POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
    operationId: 'retryWebhookDelivery',
    summary: 'Replay a delivery',
    description:
      'Sends the stored event again under the same `webhook-id`. 409 when the webhook is disabled.',
    tag: 'webhooks',
    scopes: ['webhooks:manage'],
    path: DeliveryPathSchema,
    responses: { 202: { description: 'The delivery, pending again', schema: DeliveryViewSchema } },
    errors: [409],
  },
  {
    routeKey: 'POST /v1/ws-tickets',
    operationId: 'createTenantWsTicket',
    summary: 'A ticket for a tenant-wide WebSocket (every session)',
    description:
      'Open `url` (or the WebSocket URL with `?ticket=`) within 60 s; the ticket works once. The socket then ' +
      'receives, for every session of the tenant, the `message.received`, `message.status`, `chat.updated`, ' +
      '`session.status`, `session.restricted` and `presence.updated` events, each frame the event envelope as ' +
      'webhooks get it ' +
      '(docs/api.md, "WebSocket"). A tenant holds at most `APP_WS_MAX_CONNECTIONS_PER_TENANT` sockets (default ' +
      '50): over it the connection is refused with 429.',
    tag: 'sessions',
    scopes: ['sessions:read'],
    responses: { 201: { description: 'The ticket', schema: WsTicketViewSchema } },
  },
];
