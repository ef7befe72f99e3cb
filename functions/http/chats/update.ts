import { ChatStateRequestSchema, updateChatState } from '../../../shared/services/chat-state.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { ChatPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `PATCH /v1/sessions/{sessionId}/chats/{chatId}` `{ archived?, pinned?, muted?, mutedUntil?, unread? }`: the
 * chat's state through WhatsApp's app state, synced to the account's phone (docs/api.md, "Chat state").
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  // Changes the tenant's WhatsApp account as seen on its phone: not for a read-only key.
  authorize: tenantWith('messages:send'),
  path: ChatPathSchema,
  body: ChatStateRequestSchema,
  handler: ({ path, body, auth }) =>
    updateChatState(controlPlane(), auth.tenant.id, path.sessionId, path.chatId, body),
});
