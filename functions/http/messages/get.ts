import { getMessage } from '../../../shared/services/messages.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { MessagePathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/sessions/{sessionId}/messages/{messageId}`: one message with its status history. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: MessagePathSchema,
  handler: ({ path, auth }) => getMessage(controlPlane(), auth.tenant.id, path.sessionId, path.messageId),
});
