import { listJoinRequests } from '../../../shared/services/group-join-requests.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET .../groups/{groupId}/requests`: who asked to join (a group with join approval on; admins only). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: GroupPathSchema,
  handler: ({ path, auth }) => listJoinRequests(controlPlane(), auth.tenant.id, path.sessionId, path.groupId),
});
