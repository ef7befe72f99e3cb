import { sendTyping, TypingRequestSchema } from '../../../shared/services/presence.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { ChatPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/sessions/{sessionId}/chats/{chatId}/typing` `{ state }`: "typing..." shown to the contact. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: ChatPathSchema,
  body: TypingRequestSchema,
  handler: ({ path, body, auth }) =>
    sendTyping(controlPlane(), auth.tenant.id, path.sessionId, path.chatId, body),
});
