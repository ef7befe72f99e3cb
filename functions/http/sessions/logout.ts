import { logoutSession } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { HttpResponse, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/logout`: 202 with the session when its host was asked to unlink (it reports
 * `logged_out` when done), 200 with the `logged_out` session when no host held it and it was done here.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: SessionPathSchema,
  handler: async ({ path, auth }) => {
    const result = await logoutSession(controlPlane(), auth.tenant.id, path.sessionId);
    return new HttpResponse(result.accepted ? 202 : 200, result.session);
  },
});
