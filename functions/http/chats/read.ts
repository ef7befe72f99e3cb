import { markChatRead } from '../../../shared/services/chat-read.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane, eventBus, httpLogger } from '../runtime.js';
import { ChatPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/chats/{chatId}/read`: 200 with the chat, `unreadCount` 0. The unread inbound
 * messages are `read` at once; WhatsApp gets the read receipts from the owner host, now if the session is
 * connected, else when it next connects (docs/api.md, "Marking a chat read").
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  // Sending receipts is acting on the tenant's WhatsApp, like a send: not for a read-only key.
  authorize: tenantWith('messages:send'),
  path: ChatPathSchema,
  handler: ({ path, auth }) =>
    markChatRead(
      { ...controlPlane(), events: eventBus(), log: httpLogger() },
      { tenantId: auth.tenant.id, sessionId: path.sessionId, chatKey: path.chatId },
    ),
});
