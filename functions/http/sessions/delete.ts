import { deleteSession } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor, noContent } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `DELETE /v1/sessions/{sessionId}`: stops it and erases its credentials, messages, chats and the session. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: SessionPathSchema,
  handler: async ({ path, auth }) => {
    await deleteSession(controlPlane(), auth.tenant.id, path.sessionId);
    return noContent();
  },
});
