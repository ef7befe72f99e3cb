import { setBlocked } from '../../../shared/services/contact-profile.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { ContactPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/sessions/{sessionId}/contacts/{phone}/block`: WhatsApp stops delivering the contact's messages. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: ContactPathSchema,
  handler: ({ path, auth }) => setBlocked(controlPlane(), auth.tenant.id, path.sessionId, path.phone, true),
});
