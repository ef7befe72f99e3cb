import { UpdateSessionRequestSchema } from '../../../shared/domain/session.js';
import { updateSessionSettings } from '../../../shared/services/session-settings.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `PATCH /v1/sessions/{sessionId}` `{ rejectCalls: { enabled, reply? } }`: the session, with its settings. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: SessionPathSchema,
  body: UpdateSessionRequestSchema,
  handler: ({ path, body, auth }) =>
    updateSessionSettings(controlPlane(), auth.tenant.id, path.sessionId, body),
});
