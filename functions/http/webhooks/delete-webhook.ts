/** `DELETE /v1/webhooks/{webhookId}` (scope `webhooks:manage`): 204; queued deliveries are dropped. */
import { deleteWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor, noContent } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { manageWebhooksDeps } from './deps.js';
import { WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  path: WebhookPathSchema,
  handler: async ({ path, auth }) => {
    const { tenantId } = auth.caller;
    await deleteWebhook(manageWebhooksDeps(), tenantId, path.webhookId);
    return noContent();
  },
});
