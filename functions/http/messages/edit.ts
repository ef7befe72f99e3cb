import { EditMessageRequestSchema } from '../../../shared/domain/message-actions.js';
import { parseIdempotencyKey } from '../../../shared/services/idempotency.js';
import { editMessage } from '../../../shared/services/message-actions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { getHeader } from '../middleware/json-body.js';
import { accepted, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { MessagePathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `POST /v1/sessions/{sessionId}/messages/{messageId}/edit` `{ text }`: 202 `{ id, status: "queued" }` (the id of
 * the edit itself). 409 past WhatsApp's 15-minute window or for the contact's message.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: MessagePathSchema,
  body: EditMessageRequestSchema,
  handler: async ({ path, body, event, auth }) => {
    const idempotencyKey = parseIdempotencyKey(getHeader(event, 'idempotency-key'));
    const result = await editMessage(controlPlane(), {
      tenant: auth.tenant,
      sessionId: path.sessionId,
      messageId: path.messageId,
      request: body,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    return accepted(result);
  },
});
