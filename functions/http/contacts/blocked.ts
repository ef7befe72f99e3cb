import { listBlocked } from '../../../shared/services/contact-profile.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}/contacts/blocked`: the account's block list, as WhatsApp keeps it. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: SessionPathSchema,
  handler: ({ path, auth }) => listBlocked(controlPlane(), auth.tenant.id, path.sessionId),
});
