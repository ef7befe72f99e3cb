import { listMessages } from '../../../shared/services/messages.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { HistoryQuerySchema, SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}/messages?chat=+E164&cursor=&limit=&order=`: history, cursor-paginated. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: SessionPathSchema,
  query: HistoryQuerySchema,
  handler: ({ path, query, auth }) => listMessages(controlPlane(), auth.tenant.id, path.sessionId, query),
});
