import { listSessions } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { PageQuerySchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions`: the tenant's sessions, by id (creation order), with a cursor. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  query: PageQuerySchema,
  handler: ({ query, auth }) => listSessions(controlPlane(), auth.tenant.id, query),
});
