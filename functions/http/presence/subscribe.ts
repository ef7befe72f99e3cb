import { subscribePresence } from '../../../shared/services/presence.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { ContactPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/contacts/{phone}/presence/subscribe`: the contact's online/offline and typing
 * arrive as `presence.updated` events. WhatsApp forgets subscriptions when a connection ends; the session's host
 * makes them again on its next connection (docs/api.md, "Presence and typing").
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: ContactPathSchema,
  handler: ({ path, auth }) => subscribePresence(controlPlane(), auth.tenant.id, path.sessionId, path.phone),
});
