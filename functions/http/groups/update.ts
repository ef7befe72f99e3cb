import { UpdateGroupRequestSchema } from '../../../shared/services/group-views.js';
import { updateGroup } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `PATCH /v1/sessions/{sessionId}/groups/{groupId}`: subject, description, settings (403 unless admin). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: GroupPathSchema,
  body: UpdateGroupRequestSchema,
  handler: ({ path, body, auth }) =>
    updateGroup(controlPlane(), auth.tenant.id, path.sessionId, path.groupId, body),
});
