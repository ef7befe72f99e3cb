/**
 * The message on the `webhookDelivery` queue: one event for one subscription. The fan-out worker writes it, the
 * delivery worker reads it, and a replay (`POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry`) writes it
 * again. It carries the whole event so a delivery needs no extra read for the body.
 */
import * as z from 'zod';
import { DomainEventSchema } from '../domain/events.js';
import { IdSchema } from '../domain/ids.js';

export const DeliveryJobSchema = z.object({
  webhookId: IdSchema,
  tenantId: IdSchema,
  /** Also the `webhook-id` header (`deliveryIdFor(event.id)`). */
  deliveryId: IdSchema,
  event: DomainEventSchema,
});
export type DeliveryJob = z.infer<typeof DeliveryJobSchema>;
