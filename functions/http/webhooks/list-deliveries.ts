/** `GET /v1/webhooks/{webhookId}/deliveries` (scope `webhooks:manage`): the delivery log, newest first. */
import { listDeliveries } from '../../../shared/services/webhooks/delivery-log.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { deliveryLogDeps } from './deps.js';
import { PageQuerySchema, WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  path: WebhookPathSchema,
  query: PageQuerySchema,
  handler: async ({ path, query, event }) => {
    const { tenantId } = requireTenant(event, 'webhooks:manage');
    return listDeliveries(deliveryLogDeps(), tenantId, path.webhookId, query);
  },
});
