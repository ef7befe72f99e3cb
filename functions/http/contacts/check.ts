import { checkContacts, ContactCheckRequestSchema } from '../../../shared/services/contacts.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/contacts/check` `{ phones }`: which numbers are on WhatsApp (exists, jid, LID).
 * Numbers the session checked within the last 24 h are answered from its cache; the rest are asked of WhatsApp
 * through the owner host (409 when the session is not connected, 504 when the host does not answer) and count
 * against the session's daily limit (429).
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  path: SessionPathSchema,
  body: ContactCheckRequestSchema,
  handler: ({ path, body, auth }) => checkContacts(controlPlane(), auth.tenant.id, path.sessionId, body),
});
