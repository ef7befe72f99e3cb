/** `POST /v1/webhooks` (scope `webhooks:manage`): 201 with the subscription and its secret, shown once. */
import { CreateWebhookRequestSchema } from '../../../shared/domain/webhook.js';
import { createWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { manageWebhooksDeps } from './deps.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  body: CreateWebhookRequestSchema,
  handler: async ({ body, event }) => {
    const { tenantId } = requireTenant(event, 'webhooks:manage');
    const webhook = await createWebhook(manageWebhooksDeps(), tenantId, body);
    return created(webhook, `/v1/webhooks/${webhook.id}`);
  },
});
