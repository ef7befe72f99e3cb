/** `DELETE /v1/webhooks/{webhookId}` (scope `webhooks:manage`): 204; queued deliveries are dropped. */
import { deleteWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor, noContent } from '../route.js';
import { manageWebhooksDeps } from './deps.js';
import { WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  path: WebhookPathSchema,
  handler: async ({ path, event }) => {
    const { tenantId } = requireTenant(event, 'webhooks:manage');
    await deleteWebhook(manageWebhooksDeps(), tenantId, path.webhookId);
    return noContent();
  },
});
