/**
 * `PATCH /v1/webhooks/{webhookId}` (scope `webhooks:manage`): change url, events, sessions, description, or
 * `enabled` (re-enabling an endpoint the platform disabled after a failure streak).
 */
import { PatchWebhookRequestSchema } from '../../../shared/domain/webhook.js';
import { updateWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { manageWebhooksDeps } from './deps.js';
import { WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  path: WebhookPathSchema,
  body: PatchWebhookRequestSchema,
  handler: async ({ path, body, auth }) => {
    const { tenantId } = auth.caller;
    return updateWebhook(manageWebhooksDeps(), tenantId, path.webhookId, body);
  },
});
