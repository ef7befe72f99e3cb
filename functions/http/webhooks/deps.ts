/** Use-case dependencies of the webhook routes, from the container's runtime. */
import type { DeliveryLogDeps } from '../../../shared/services/webhooks/delivery-log.js';
import type { ManageWebhooksDeps } from '../../../shared/services/webhooks/manage-webhooks.js';
import { eventsRuntime } from '../../webhooks-runtime.js';

export function manageWebhooksDeps(): ManageWebhooksDeps {
  const rt = eventsRuntime();
  return {
    webhooks: rt.repositories.webhooks,
    health: rt.health,
    secrets: rt.secrets,
    sessions: rt.repositories.sessions,
    localMode: rt.config.APP_LOCAL_MODE,
  };
}

export function deliveryLogDeps(): DeliveryLogDeps {
  const rt = eventsRuntime();
  return {
    webhooks: rt.repositories.webhooks,
    deliveries: rt.repositories.deliveries,
    payloads: rt.payloads,
    queue: rt.deliveryQueue,
  };
}
