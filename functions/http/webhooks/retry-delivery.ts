/**
 * `POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry` (scope `webhooks:manage`): replay one delivery
 * (any status); 202 with the delivery, now `pending`.
 */
import { retryDelivery } from '../../../shared/services/webhooks/delivery-log.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { accepted, httpRouteFor } from '../route.js';
import { tenantWith } from '../tenant-request.js';
import { deliveryLogDeps } from './deps.js';
import { DeliveryPathSchema } from './schemas.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('webhooks:manage'),
  path: DeliveryPathSchema,
  handler: async ({ path, auth }) => {
    const { tenantId } = auth.caller;
    return accepted(await retryDelivery(deliveryLogDeps(), tenantId, path.webhookId, path.deliveryId));
  },
});
