import { getContactProfile } from '../../../shared/services/contact-profile.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { ContactPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}/contacts/{phone}/profile`: picture URL, about text, business profile. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: ContactPathSchema,
  handler: ({ path, auth }) => getContactProfile(controlPlane(), auth.tenant.id, path.sessionId, path.phone),
});
