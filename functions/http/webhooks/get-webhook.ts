/** `GET /v1/webhooks/{webhookId}` (scope `webhooks:manage`); another tenant's is a 404. */
import { getWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { manageWebhooksDeps } from './deps.js';
import { WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  path: WebhookPathSchema,
  handler: async ({ path, event }) => {
    const { tenantId } = requireTenant(event, 'webhooks:manage');
    return getWebhook(manageWebhooksDeps(), tenantId, path.webhookId);
  },
});
