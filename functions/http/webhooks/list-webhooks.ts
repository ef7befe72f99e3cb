/** `GET /v1/webhooks` (scope `webhooks:manage`): the tenant's subscriptions, cursor-paginated. */
import { listWebhooks } from '../../../shared/services/webhooks/manage-webhooks.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { manageWebhooksDeps } from './deps.js';
import { PageQuerySchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  query: PageQuerySchema,
  handler: async ({ query, event }) => {
    const { tenantId } = requireTenant(event, 'webhooks:manage');
    return listWebhooks(manageWebhooksDeps(), tenantId, query);
  },
});
