import { GroupListQuerySchema } from '../../../shared/services/group-views.js';
import { listGroups } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `GET /v1/sessions/{sessionId}/groups`: the account's groups as last stored (no round trip to WhatsApp);
 * `?refresh=true` asks WhatsApp first.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: SessionPathSchema,
  query: GroupListQuerySchema,
  handler: ({ path, query, auth }) => listGroups(controlPlane(), auth.tenant.id, path.sessionId, query),
});
