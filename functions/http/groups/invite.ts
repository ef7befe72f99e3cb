import { inviteCode } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET .../groups/{groupId}/invite`: the group's invite code and link (admins only). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: GroupPathSchema,
  handler: ({ path, auth }) =>
    inviteCode(controlPlane(), auth.tenant.id, path.sessionId, path.groupId, false),
});
