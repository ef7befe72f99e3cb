import { SetPresenceRequestSchema, setPresence } from '../../../shared/services/presence.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/sessions/{sessionId}/presence` `{ presence }`: the account shows online or offline. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  // Acting on the tenant's WhatsApp, like a send.
  authorize: tenantWith('messages:send'),
  path: SessionPathSchema,
  body: SetPresenceRequestSchema,
  handler: ({ path, body, auth }) => setPresence(controlPlane(), auth.tenant.id, path.sessionId, body),
});
