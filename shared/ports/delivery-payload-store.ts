/**
 * The event body of each delivery, kept beside the delivery (same item, same 30-day TTL) so a tenant can replay a
 * delivery long after the queue message is gone.
 */
import type { DomainEvent } from '../domain/events.js';

export interface DeliveryPayloadStore {
  put(webhookId: string, deliveryId: string, event: DomainEvent): Promise<void>;
  /** `null` when the delivery or its payload is missing. */
  get(webhookId: string, deliveryId: string): Promise<DomainEvent | null>;
}
