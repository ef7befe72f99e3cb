/** `GET /v1/webhooks` (scope `webhooks:manage`): the tenant's subscriptions, cursor-paginated. */
import { listWebhooks } from '../../../shared/services/webhooks/manage-webhooks.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { manageWebhooksDeps } from './deps.js';
import { PageQuerySchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  query: PageQuerySchema,
  handler: async ({ query, auth }) => {
    const { tenantId } = auth.caller;
    return listWebhooks(manageWebhooksDeps(), tenantId, query);
  },
});
