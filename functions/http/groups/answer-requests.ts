import { answerJoinRequests } from '../../../shared/services/group-join-requests.js';
import { JoinRequestsAnswerSchema } from '../../../shared/services/group-views.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { GroupPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST .../groups/{groupId}/requests` `{ action: approve|reject, participants }`: one result per member. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: GroupPathSchema,
  body: JoinRequestsAnswerSchema,
  handler: ({ path, body, auth }) =>
    answerJoinRequests(controlPlane(), auth.tenant.id, path.sessionId, path.groupId, body),
});
