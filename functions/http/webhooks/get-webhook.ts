/** `GET /v1/webhooks/{webhookId}` (scope `webhooks:manage`); another tenant's is a 404. */
import { getWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { manageWebhooksDeps } from './deps.js';
import { WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  path: WebhookPathSchema,
  handler: async ({ path, auth }) => {
    const { tenantId } = auth.caller;
    return getWebhook(manageWebhooksDeps(), tenantId, path.webhookId);
  },
});
