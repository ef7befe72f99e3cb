import { getSession } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}`: the SessionView (no lease internals). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  path: SessionPathSchema,
  handler: ({ path, auth }) => getSession(controlPlane(), auth.tenant.id, path.sessionId),
});
