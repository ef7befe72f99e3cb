import type { HttpRouteDefinition } from './http-routes.js';

/** Tenants, API keys, sessions, messages, chats, media, OpenAPI (DESIGN.md section 4; docs/api.md). */
export const CONTROL_PLANE_ROUTES: readonly HttpRouteDefinition[] = [
  { routeKey: 'GET /v1/openapi.json', entry: 'functions/http/openapi', handler: 'handler', auth: 'none' },
  {
    routeKey: 'POST /v1/tenants',
    entry: 'functions/http/tenants/create',
    handler: 'handler',
    auth: 'operator',
    access: { tables: { tenants: 'readWrite', apiKeys: 'readWrite' } },
  },
  {
    routeKey: 'GET /v1/tenants/{tenantId}',
    entry: 'functions/http/tenants/get',
    handler: 'handler',
    auth: 'operator',
    access: { tables: { tenants: 'read' } },
  },
  {
    routeKey: 'PATCH /v1/tenants/{tenantId}',
    entry: 'functions/http/tenants/update',
    handler: 'handler',
    auth: 'operator',
    // Suspending closes the tenant's browser WebSockets: its connections (byTenant), DeleteConnection.
    access: {
      tables: { tenants: 'readWrite', wsConnections: 'readWrite' },
      closeWebSockets: true,
    },
  },
  {
    routeKey: 'GET /v1/tenant',
    entry: 'functions/http/tenants/current',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { tenants: 'read' } },
  },
  {
    routeKey: 'POST /v1/api-keys',
    entry: 'functions/http/api-keys/create',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { apiKeys: 'readWrite' } },
  },
  {
    routeKey: 'GET /v1/api-keys',
    entry: 'functions/http/api-keys/list',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { apiKeys: 'read' } },
  },
  {
    routeKey: 'DELETE /v1/api-keys/{keyId}',
    entry: 'functions/http/api-keys/revoke',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { apiKeys: 'readWrite' } },
  },
  {
    routeKey: 'POST /v1/sessions',
    entry: 'functions/http/sessions/create',
    handler: 'handler',
    auth: 'apiKey',
    // tenants: the session count the quota is kept on, raised in the same transaction as the session is written.
    access: { tables: { sessions: 'readWrite', tenants: 'readWrite' } },
  },
  {
    routeKey: 'GET /v1/sessions',
    entry: 'functions/http/sessions/list',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read' } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}',
    entry: 'functions/http/sessions/get',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read' } },
  },
  {
    routeKey: 'PATCH /v1/sessions/{sessionId}',
    entry: 'functions/http/sessions/update',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'readWrite' } },
  },
  {
    routeKey: 'DELETE /v1/sessions/{sessionId}',
    entry: 'functions/http/sessions/delete',
    handler: 'handler',
    auth: 'apiKey',
    access: {
      tables: {
        sessions: 'readWrite',
        messages: 'readWrite',
        chats: 'readWrite',
        tenants: 'readWrite',
        lidMappings: 'readWrite',
        // The session's per-key credentials (docs/credentials-and-commands.md): erased with it.
        credentials: 'readWrite',
        contactChecks: 'readWrite',
        groups: 'readWrite',
        // A pool member's queued pool messages are sent again through their pools before the erase.
        pools: 'readWrite',
        poolAssignments: 'readWrite',
        idempotency: 'readWrite',
      },
      hostCommands: true,
      eventBus: true,
      blobs: 'readWrite',
      media: 'delete',
    },
    timeoutSeconds: 28,
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/qr',
    entry: 'functions/http/sessions/qr',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read' } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/pairing-code',
    entry: 'functions/http/sessions/pairing-code',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read' }, hostCommands: true },
    timeoutSeconds: 28,
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/start',
    entry: 'functions/http/sessions/start',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'readWrite' } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/logout',
    entry: 'functions/http/sessions/logout',
    handler: 'handler',
    auth: 'apiKey',
    // credentials: a logout nobody else handles (no host) erases the session's credential items here.
    access: {
      tables: { sessions: 'readWrite', credentials: 'readWrite' },
      hostCommands: true,
      blobs: 'readWrite',
    },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/messages',
    entry: 'functions/http/messages/send',
    handler: 'handler',
    auth: 'apiKey',
    access: {
      tables: { sessions: 'read', messages: 'readWrite', chats: 'readWrite', idempotency: 'readWrite' },
      hostCommands: true,
      // A `mediaId` is checked to exist (HeadObject needs s3:GetObject).
      media: 'read',
    },
  },
  // Edits and revokes are queued like sends (one transaction: session, key, rate, message; the chat is not
  // written), then the doorbell.
  {
    routeKey: 'POST /v1/sessions/{sessionId}/messages/{messageId}/edit',
    entry: 'functions/http/messages/edit',
    handler: 'handler',
    auth: 'apiKey',
    access: {
      tables: { sessions: 'read', messages: 'readWrite', idempotency: 'readWrite' },
      hostCommands: true,
    },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/messages/{messageId}/revoke',
    entry: 'functions/http/messages/revoke',
    handler: 'handler',
    auth: 'apiKey',
    access: {
      tables: { sessions: 'read', messages: 'readWrite', idempotency: 'readWrite' },
      hostCommands: true,
    },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/messages',
    entry: 'functions/http/messages/list',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read', messages: 'read' } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/messages/{messageId}',
    entry: 'functions/http/messages/get',
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read', messages: 'read' } },
  },
  {
    routeKey: 'GET /v1/sessions/{sessionId}/chats',
    entry: 'functions/http/chats/list',
    handler: 'handler',
    auth: 'apiKey',
    // groups: a group chat is listed with the group's subject.
    access: { tables: { sessions: 'read', chats: 'read', groups: 'read' } },
  },
  {
    routeKey: 'POST /v1/sessions/{sessionId}/chats/{chatId}/read',
    entry: 'functions/http/chats/read',
    handler: 'handler',
    auth: 'apiKey',
    // messages: the unread ones are marked read (with a pending-receipt marker); the owner host is rung to send
    // the receipts; `chat.updated` goes on the bus.
    access: {
      // groups: the chat.updated of a group chat is named by its subject (shared/services/chat-names.ts).
      tables: { sessions: 'read', chats: 'readWrite', messages: 'readWrite', groups: 'read' },
      hostCommands: true,
      eventBus: true,
    },
  },
  {
    routeKey: 'POST /v1/media',
    entry: 'functions/http/media/upload',
    handler: 'handler',
    auth: 'apiKey',
    access: { media: 'write' },
  },
  {
    routeKey: 'GET /v1/media/{mediaId}',
    entry: 'functions/http/media/download',
    handler: 'handler',
    auth: 'apiKey',
    access: { media: 'read' },
  },
];
