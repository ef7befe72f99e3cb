import { SendMessageRequestSchema } from '../../../shared/domain/message.js';
import { parseIdempotencyKey } from '../../../shared/services/idempotency.js';
import { sendMessage } from '../../../shared/services/messages.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { getHeader } from '../middleware/json-body.js';
import { accepted, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/messages`: 202 `{ id, status: "queued" }`. `Idempotency-Key` makes retries
 * safe: the same key and body answer the same id, another body under the key is a 409.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: SessionPathSchema,
  body: SendMessageRequestSchema,
  handler: async ({ path, body, event, auth }) => {
    const idempotencyKey = parseIdempotencyKey(getHeader(event, 'idempotency-key'));
    const result = await sendMessage(controlPlane(), {
      tenant: auth.tenant,
      sessionId: path.sessionId,
      request: body,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    return accepted(result);
  },
});
