import { parseIdempotencyKey } from '../../../shared/services/idempotency.js';
import { revokeMessage } from '../../../shared/services/message-actions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { getHeader } from '../middleware/json-body.js';
import { accepted, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { MessagePathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/messages/{messageId}/revoke` (no body): 202 `{ id, status: "queued" }` (the id
 * of the revoke itself). Deletes our message for everyone once WhatsApp accepted the revoke.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: MessagePathSchema,
  handler: async ({ path, event, auth }) => {
    const idempotencyKey = parseIdempotencyKey(getHeader(event, 'idempotency-key'));
    const result = await revokeMessage(controlPlane(), {
      tenant: auth.tenant,
      sessionId: path.sessionId,
      messageId: path.messageId,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    return accepted(result);
  },
});
