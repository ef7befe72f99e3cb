/** `POST /v1/webhooks` (scope `webhooks:manage`): 201 with the subscription and its secret, shown once. */
import { CreateWebhookRequestSchema } from '../../../shared/domain/webhook.js';
import { createWebhook } from '../../../shared/services/webhooks/manage-webhooks.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { manageWebhooksDeps } from './deps.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  body: CreateWebhookRequestSchema,
  handler: async ({ body, auth }) => {
    const { tenantId } = auth.caller;
    const webhook = await createWebhook(manageWebhooksDeps(), tenantId, body);
    return created(webhook, `/v1/webhooks/${webhook.id}`);
  },
});
