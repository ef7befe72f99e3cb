import { GroupGetQuerySchema } from '../../../shared/services/group-views.js';
import { getGroup } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}/groups/{groupId}`: settings and members (stored; `?refresh=true` asks WhatsApp). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: GroupPathSchema,
  query: GroupGetQuerySchema,
  handler: ({ path, query, auth }) =>
    getGroup(controlPlane(), auth.tenant.id, path.sessionId, path.groupId, query.refresh === 'true'),
});
