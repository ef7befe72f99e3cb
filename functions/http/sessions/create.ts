import { CreateSessionRequestSchema } from '../../../shared/domain/session.js';
import { createSession } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions`: stored `desired: running, status: starting`; a session host claims it by itself. An
 * empty body is allowed (no name).
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  body: CreateSessionRequestSchema.optional(),
  handler: async ({ body, auth }) => {
    const session = await createSession(controlPlane(), auth.tenant, body ?? {});
    return created(session, `/v1/sessions/${session.id}`);
  },
});
