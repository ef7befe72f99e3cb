import type { HttpRouteDefinition } from './http-routes.js';

const dir = 'functions/http/contacts';

/**
 * Contacts (docs/api.md, "Contacts"): routes that ask the session's owner host to do something on WhatsApp and
 * wait for its reply (host request/reply: `hostReplies`, a doorbell on the host's queue). Each waits at most
 * `APP_HOST_REQUEST_WAIT_MS`, so their functions get more time than the default.
 */
export const CONTACT_ROUTES: readonly HttpRouteDefinition[] = [
  {
    routeKey: 'POST /v1/sessions/{sessionId}/contacts/check',
    entry: `${dir}/check`,
    handler: 'handler',
    auth: 'apiKey',
    // contactChecks: the day's answers; rateLimits (already the tenant guard's): the daily count.
    access: {
      tables: { sessions: 'read', contactChecks: 'readWrite', hostReplies: 'read' },
      hostCommands: true,
    },
    timeoutSeconds: 28,
  },
  ...(
    [
      ['POST /v1/sessions/{sessionId}/presence', 'functions/http/presence/set'],
      ['POST /v1/sessions/{sessionId}/chats/{chatId}/typing', 'functions/http/presence/typing'],
      [
        'POST /v1/sessions/{sessionId}/contacts/{phone}/presence/subscribe',
        'functions/http/presence/subscribe',
      ],
      ['GET /v1/sessions/{sessionId}/contacts/{phone}/profile', `${dir}/profile`],
      ['POST /v1/sessions/{sessionId}/contacts/{phone}/block', `${dir}/block`],
      ['POST /v1/sessions/{sessionId}/contacts/{phone}/unblock', `${dir}/unblock`],
      ['GET /v1/sessions/{sessionId}/contacts/blocked', `${dir}/blocked`],
    ] as const
  ).map(([routeKey, entry]): HttpRouteDefinition => ({
    routeKey,
    entry,
    handler: 'handler',
    auth: 'apiKey',
    access: { tables: { sessions: 'read', hostReplies: 'read' }, hostCommands: true },
    timeoutSeconds: 28,
  })),
  {
    routeKey: 'PATCH /v1/sessions/{sessionId}/chats/{chatId}',
    entry: 'functions/http/chats/update',
    handler: 'handler',
    auth: 'apiKey',
    // chats: the flags are stored once the host made the patches (the host publishes `chat.updated`).
    // groups: a group chat is answered named by its subject (shared/services/chat-names.ts).
    access: {
      tables: { sessions: 'read', chats: 'readWrite', hostReplies: 'read', groups: 'read' },
      hostCommands: true,
    },
    timeoutSeconds: 28,
  },
];
