import { ParticipantsRequestSchema } from '../../../shared/services/group-views.js';
import { changeParticipants } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST .../groups/{groupId}/participants` `{ action, participants }`: one result per member. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: GroupPathSchema,
  body: ParticipantsRequestSchema,
  handler: ({ path, body, auth }) =>
    changeParticipants(controlPlane(), auth.tenant.id, path.sessionId, path.groupId, body),
});
