import { listChats } from '../../../shared/services/messages.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { PageQuerySchema, SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}/chats`: conversations by latest activity, with unread counts. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: SessionPathSchema,
  query: PageQuerySchema,
  handler: ({ path, query, auth }) => listChats(controlPlane(), auth.tenant.id, path.sessionId, query),
});
