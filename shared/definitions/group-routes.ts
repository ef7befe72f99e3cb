import type { HttpRouteDefinition } from './http-routes.js';

const dir = 'functions/http/groups';
const group = '/v1/sessions/{sessionId}/groups/{groupId}';

/**
 * Groups (docs/api.md, "Groups"): host requests like the contact routes (ask the owner host, wait for its
 * reply), and the `groups` table, where each function stores what WhatsApp answered. Listing reads the table
 * only (unless `?refresh=true`).
 */
export const GROUP_ROUTES: readonly HttpRouteDefinition[] = (
  [
    ['GET /v1/sessions/{sessionId}/groups', 'list'],
    ['POST /v1/sessions/{sessionId}/groups', 'create'],
    ['POST /v1/sessions/{sessionId}/groups/join', 'join'],
    [`GET ${group}`, 'get'],
    [`PATCH ${group}`, 'update'],
    [`POST ${group}/participants`, 'participants'],
    [`GET ${group}/invite`, 'invite'],
    [`POST ${group}/invite/revoke`, 'revoke-invite'],
    [`GET ${group}/requests`, 'requests'],
    [`POST ${group}/requests`, 'answer-requests'],
    [`POST ${group}/leave`, 'leave'],
  ] as const
).map(([routeKey, file]): HttpRouteDefinition => ({
  routeKey,
  entry: `${dir}/${file}`,
  handler: 'handler',
  auth: 'apiKey',
  access: {
    tables: { sessions: 'read', hostReplies: 'read', groups: 'readWrite' },
    hostCommands: true,
  },
  timeoutSeconds: 28,
}));
