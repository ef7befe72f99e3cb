import { startSession } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { HttpResponse, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/start`: 202 with the session set `starting` (a host claims it), 200 with the
 * session as it is when it was already wanted running.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: SessionPathSchema,
  handler: async ({ path, auth }) => {
    const result = await startSession(controlPlane(), auth.tenant.id, path.sessionId);
    return new HttpResponse(result.started ? 202 : 200, result.session);
  },
});
