import { PairingCodeRequestSchema } from '../../../shared/domain/session.js';
import { requestPairingCode } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/pairing-code` `{ phone }`: rings the owner host and waits (up to
 * `APP_PAIRING_WAIT_MS`) for its 8-character code. 409 while no host owns the session, 504 if it did not answer.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: SessionPathSchema,
  body: PairingCodeRequestSchema,
  handler: ({ path, body, auth }) =>
    requestPairingCode(controlPlane(), auth.tenant.id, path.sessionId, body.phone),
});
