import { leaveGroup } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST .../groups/{groupId}/leave`: the account leaves; the stored group stays, marked `left`. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: GroupPathSchema,
  handler: ({ path, auth }) => leaveGroup(controlPlane(), auth.tenant.id, path.sessionId, path.groupId),
});
