/** OpenAPI operations of `CONTROL_PLANE_ROUTES`. */
import * as z from 'zod';
import { CHAT_READ_MAX_MESSAGES } from '../../../shared/contracts/host-command.js';
import { CreateApiKeyRequestSchema } from '../../../shared/domain/api-key.js';
import { MEDIA_RETENTION_DAYS, MediaViewSchema } from '../../../shared/domain/media.js';
import { SendMessageRequestSchema, SendMessageResponseSchema } from '../../../shared/domain/message.js';
import { EditMessageRequestSchema } from '../../../shared/domain/message-actions.js';
import {
  CreateSessionRequestSchema,
  PairingCodeRequestSchema,
  SessionViewSchema,
  UpdateSessionRequestSchema,
} from '../../../shared/domain/session.js';
import {
  CreateTenantRequestSchema,
  TenantSchema,
  TenantWithUsageSchema,
  UpdateTenantRequestSchema,
} from '../../../shared/domain/tenant.js';
import { TenantPathSchema } from '../tenants/path.js';
import { IdempotencyKeySchema } from '../../../shared/services/idempotency.js';
import { MEDIA_DOWNLOAD_MAX_BYTES } from '../../../shared/services/media.js';
import {
  ApiKeyViewSchema,
  ChatViewSchema,
  CreatedApiKeySchema,
  MessageViewSchema,
  PairingCodeViewSchema,
  QrViewSchema,
  pageSchema,
} from '../../../shared/services/views.js';
import {
  ApiKeyPathSchema,
  ChatPathSchema,
  HistoryQuerySchema,
  MediaPathSchema,
  MessagePathSchema,
  PageQuerySchema,
  QrQuerySchema,
  SessionPathSchema,
} from '../schemas.js';
import type { OperationSpec } from './operation.js';

const created = (description: string, schema: z.ZodType) => ({
  201: { description, schema, headers: { Location: 'URL of the new resource' } },
});

export const CONTROL_PLANE_OPERATIONS: readonly OperationSpec[] = [
  {
    routeKey: 'GET /v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI document',
    tag: 'meta',
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    routeKey: 'POST /v1/tenants',
    operationId: 'createTenant',
    summary: 'Create a tenant and its first API key',
    description: 'The first key has every scope, including `keys:manage`. It is shown once.',
    tag: 'tenants',
    body: CreateTenantRequestSchema,
    responses: created(
      'The tenant and its first key',
      z.object({ tenant: TenantSchema, apiKey: CreatedApiKeySchema }),
    ),
  },
  {
    routeKey: 'GET /v1/tenants/{tenantId}',
    operationId: 'getTenant',
    summary: 'Read a tenant',
    description: 'Its status, limits and usage (sessions counted against the quota).',
    tag: 'tenants',
    path: TenantPathSchema,
    responses: { 200: { description: 'The tenant with its usage', schema: TenantWithUsageSchema } },
  },
  {
    routeKey: 'GET /v1/tenant',
    operationId: 'getOwnTenant',
    summary: "Read the caller's tenant",
    description:
      'Its status, limits (sessions, sends per minute per session, requests per minute) and usage (sessions ' +
      'counted against the quota). Any key of the tenant may read it, whatever its scopes.',
    tag: 'tenants',
    responses: { 200: { description: 'The tenant with its usage', schema: TenantWithUsageSchema } },
  },
  {
    routeKey: 'PATCH /v1/tenants/{tenantId}',
    operationId: 'updateTenant',
    summary: 'Suspend, reactivate or change limits',
    description:
      "Give `status` and/or some `limits`; the limits not given stay. A suspended tenant's keys get 403. API " +
      'containers cache a tenant for up to 10 s, so a change is in force everywhere within that.',
    tag: 'tenants',
    path: TenantPathSchema,
    body: UpdateTenantRequestSchema,
    responses: { 200: { description: 'The tenant as changed', schema: TenantSchema } },
  },
  {
    routeKey: 'POST /v1/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description: 'Scopes default to all but `keys:manage`. The key is shown once.',
    tag: 'api-keys',
    scopes: ['keys:manage'],
    body: CreateApiKeyRequestSchema,
    responses: created('The new key', CreatedApiKeySchema),
  },
  {
    routeKey: 'GET /v1/api-keys',
    operationId: 'listApiKeys',
    summary: "List the tenant's API keys",
    tag: 'api-keys',
    scopes: ['keys:manage'],
    query: PageQuerySchema,
    responses: { 200: { description: 'A page of keys', schema: pageSchema(ApiKeyViewSchema) } },
  },
  {
    routeKey: 'DELETE /v1/api-keys/{keyId}',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'Takes effect at once.',
    tag: 'api-keys',
    scopes: ['keys:manage'],
    path: ApiKeyPathSchema,
    responses: { 204: { description: 'Revoked' } },
  },
  {
    routeKey: 'POST /v1/sessions',
    operationId: 'createSession',
    summary: 'Create a session',
    description:
      'A session host picks it up within seconds: `starting`, then `qr` (or use a pairing code), then `connected`.',
    tag: 'sessions',
    scopes: ['sessions:write'],
    body: CreateSessionRequestSchema,
    bodyOptional: true,
    responses: created('The new session', SessionViewSchema),
  },
  {
    routeKey: 'GET /v1/sessions',
    operationId: 'listSessions',
    summary: 'List sessions',
    tag: 'sessions',
    scopes: ['sessions:read'],
    query: PageQuerySchema,
    responses: { 200: { description: 'A page of sessions', schema: pageSchema(SessionViewSchema) } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}',
    operationId: 'getSession',
    summary: 'Read a session',
    tag: 'sessions',
    scopes: ['sessions:read'],
    path: SessionPathSchema,
    responses: { 200: { description: 'The session', schema: SessionViewSchema } },
  },
  {
    routeKey: 'DELETE /v1/sessions/{sessionId}',
    operationId: 'deleteSession',
    summary: 'Delete a session and erase its data',
    description:
      'Stops it, then erases its credentials, messages and chats. The device stays listed on the phone.',
    tag: 'sessions',
    scopes: ['sessions:write'],
    path: SessionPathSchema,
    responses: { 204: { description: 'Deleted' } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/qr',
    operationId: 'getSessionQr',
    summary: 'The current QR code',
    description: 'Only while the session is `qr`; 409 otherwise. `?format=png` answers with an image.',
    tag: 'sessions',
    scopes: ['sessions:read'],
    path: SessionPathSchema,
    query: QrQuerySchema,
    errors: [409],
    responses: {
      200: {
        description: 'The QR (JSON, or image/png with ?format=png)',
        schema: QrViewSchema,
        alsoAs: ['image/png'],
      },
    },
  },
  {
    routeKey: 'PATCH /v1/sessions/{sessionId}',
    operationId: 'updateSession',
    summary: 'Change the session’s settings',
    description:
      '`rejectCalls`: with `enabled`, the session host rejects every incoming call as it rings and, with ' +
      '`reply`, sends the caller that text (`call.received` is published either way). Applies to the next call.',
    tag: 'sessions',
    scopes: ['sessions:write'],
    path: SessionPathSchema,
    body: UpdateSessionRequestSchema,
    responses: { 200: { description: 'The session with its settings', schema: SessionViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/pairing-code',
    operationId: 'requestPairingCode',
    summary: 'Get a phone-number pairing code',
    description:
      'Type the 8-character code on the phone (Linked devices > Link with phone number). 409 while no session ' +
      'host owns the session yet; 504 if the host did not answer in time (retry).',
    tag: 'sessions',
    scopes: ['sessions:write'],
    path: SessionPathSchema,
    body: PairingCodeRequestSchema,
    errors: [409, 503, 504],
    responses: { 200: { description: 'The code', schema: PairingCodeViewSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/start',
    operationId: 'startSession',
    summary: 'Start a stopped session again',
    description:
      'For a session that stopped (`qr_expired`, `disconnected`, `logged_out`, `failed`): the same session id is ' +
      'set `starting` and a session host claims it, reconnecting from its credentials or showing a new QR when ' +
      'it has none (after a logout). 200 with the session unchanged when it was already running.',
    tag: 'sessions',
    scopes: ['sessions:write'],
    path: SessionPathSchema,
    responses: {
      200: { description: 'Already running', schema: SessionViewSchema },
      202: { description: 'Starting; a session host will claim it', schema: SessionViewSchema },
    },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/logout',
    operationId: 'logoutSession',
    summary: 'Unlink the device',
    description:
      '202 when the session host was asked to unlink (the status becomes `logged_out` shortly); 200 when no host ' +
      'held the session and it was logged out at once. Either way the session ends stopped.',
    tag: 'sessions',
    scopes: ['sessions:write'],
    path: SessionPathSchema,
    errors: [503],
    responses: {
      200: { description: 'Logged out', schema: SessionViewSchema },
      202: { description: 'The host is logging out', schema: SessionViewSchema },
    },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/messages',
    operationId: 'sendMessage',
    summary: 'Send a message',
    description:
      'Queued at once and sent by the session host in order. With `Idempotency-Key`, a retry with the same key ' +
      'and body gets the same answer (and the same message id); another body under that key is a 409.',
    tag: 'messages',
    scopes: ['messages:send'],
    path: SessionPathSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe for 24 hours',
        schema: IdempotencyKeySchema,
      },
    ],
    body: SendMessageRequestSchema,
    errors: [409],
    responses: { 202: { description: 'Queued', schema: SendMessageResponseSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/messages/{messageId}/edit',
    operationId: 'editMessage',
    summary: 'Edit one of our text messages',
    description:
      'Queued like a send (same rate limit and `Idempotency-Key` handling) as a message of type `edit`, whose id ' +
      'is answered; once WhatsApp accepted it, the message shows the new text with `edited` and `editHistory`, ' +
      'and `message.edited` is published. 409 `edit-window-passed` after 15 minutes from sending, ' +
      '`not-own-message` for a message the contact sent, `message-not-actionable` for one not sent yet, revoked ' +
      "or not text. 404 for another tenant's message.",
    tag: 'messages',
    scopes: ['messages:send'],
    path: MessagePathSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe for 24 hours',
        schema: IdempotencyKeySchema,
      },
    ],
    body: EditMessageRequestSchema,
    errors: [409],
    responses: { 202: { description: 'Queued', schema: SendMessageResponseSchema } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/messages/{messageId}/revoke',
    operationId: 'revokeMessage',
    summary: 'Delete one of our messages for everyone',
    description:
      'Queued like a send as a message of type `revoke`; once WhatsApp accepted it, the message keeps its id ' +
      'with `revoked: true` and its content cleared (`type: "revoked"`), and `message.revoked` is published. ' +
      "409 `not-own-message` for the contact's messages, `message-not-actionable` for one not sent yet or " +
      "already revoked. 404 for another tenant's message.",
    tag: 'messages',
    scopes: ['messages:send'],
    path: MessagePathSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe for 24 hours',
        schema: IdempotencyKeySchema,
      },
    ],
    errors: [409],
    responses: { 202: { description: 'Queued', schema: SendMessageResponseSchema } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/messages',
    operationId: 'listMessages',
    summary: 'Message history',
    description:
      'With `chat`, one conversation (newest first, or `order=oldest`); without, the whole session.',
    tag: 'messages',
    scopes: ['messages:read'],
    path: SessionPathSchema,
    query: HistoryQuerySchema,
    responses: { 200: { description: 'A page of messages', schema: pageSchema(MessageViewSchema) } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/messages/{messageId}',
    operationId: 'getMessage',
    summary: 'One message with its status history',
    tag: 'messages',
    scopes: ['messages:read'],
    path: MessagePathSchema,
    responses: { 200: { description: 'The message', schema: MessageViewSchema } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/chats',
    operationId: 'listChats',
    summary: 'Conversations',
    description: 'Most recent activity first, with the last message and the unread count.',
    tag: 'messages',
    scopes: ['messages:read'],
    path: SessionPathSchema,
    query: PageQuerySchema,
    responses: { 200: { description: 'A page of chats', schema: pageSchema(ChatViewSchema) } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/chats/{chatId}/read',
    operationId: 'markChatRead',
    summary: 'Mark a chat read',
    description:
      "Resets the chat's unread count and marks its unread incoming messages `read` (at most the latest " +
      `${CHAT_READ_MAX_MESSAGES}); the session host sends the contact read receipts for them, at once if the ` +
      'session is connected, else as soon as it connects again (none is dropped). Nothing unread: answered as ' +
      'it is, no change. Publishes `chat.updated`. 404 for a chat this session does not have.',
    tag: 'messages',
    scopes: ['messages:send'],
    path: ChatPathSchema,
    responses: { 200: { description: 'The chat, `unreadCount` 0', schema: ChatViewSchema } },
  },
  {
    routeKey: 'POST /v1/media',
    operationId: 'uploadMedia',
    summary: 'Upload a media file to send',
    description:
      "The body is the file's bytes (not JSON, not a form); `Content-Type` is its media type (e.g. `image/jpeg`). " +
      'At most `APP_MEDIA_UPLOAD_MAX_BYTES` (default 4 MiB; 413 beyond): send larger media by URL. Name the ' +
      `returned id as \`mediaId\` in a send. Kept ${MEDIA_RETENTION_DAYS} days.`,
    tag: 'media',
    scopes: ['messages:send'],
    binaryBody: { description: "The file's bytes; `Content-Type` is its media type" },
    responses: created('The stored media', MediaViewSchema),
  },
  {
    routeKey: 'GET /v1/media/{mediaId}',
    operationId: 'downloadMedia',
    summary: 'Download a media file',
    description:
      'An uploaded file, or the media of an incoming message (its `mediaId`), with its stored media type, always ' +
      `as an attachment. 404 for another tenant's id or an expired one; 409 for an object over ` +
      `${MEDIA_DOWNLOAD_MAX_BYTES} bytes (Lambda's response limit), which can still be sent by \`mediaId\`.`,
    tag: 'media',
    scopes: ['messages:read'],
    path: MediaPathSchema,
    errors: [409],
    responses: {
      200: {
        description: 'The bytes, with the stored `Content-Type` (`application/octet-stream` when unknown)',
        contentType: '*/*',
        headers: {
          'Content-Disposition': '`attachment`: never rendered inline',
          'Content-Length': 'Size in bytes',
          'Cache-Control': '`private, max-age=300`',
        },
      },
    },
  },
];
