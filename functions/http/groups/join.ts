import { JoinGroupRequestSchema } from '../../../shared/services/group-views.js';
import { joinGroup } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/sessions/{sessionId}/groups/join` `{ code }` or `{ link }`: joins by invite. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: SessionPathSchema,
  body: JoinGroupRequestSchema,
  handler: ({ path, body, auth }) => joinGroup(controlPlane(), auth.tenant.id, path.sessionId, body),
});
