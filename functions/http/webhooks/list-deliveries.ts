/** `GET /v1/webhooks/{webhookId}/deliveries` (scope `webhooks:manage`): the delivery log, newest first. */
import { listDeliveries } from '../../../shared/services/webhooks/delivery-log.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { deliveryLogDeps } from './deps.js';
import { PageQuerySchema, WebhookPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  path: WebhookPathSchema,
  query: PageQuerySchema,
  handler: async ({ path, query, auth }) => {
    const { tenantId } = auth.caller;
    return listDeliveries(deliveryLogDeps(), tenantId, path.webhookId, query);
  },
});
