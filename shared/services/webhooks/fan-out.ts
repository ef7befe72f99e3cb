/**
 * One domain event -> one delivery per matching subscription (enabled, event type or `*`, session filter), each
 * recorded before its job is queued. Idempotent on (event, subscription): the delivery id is the event id, so a
 * redelivered fan-out finds the deliveries it made. It re-queues only those still untouched (`pending`, no
 * attempt yet), which covers a run that crashed between recording and queueing; a duplicate job that results
 * is dropped by the delivery worker once the delivery has succeeded.
 */
import type { DeliveryJob } from '../../contracts/webhook-delivery-job.js';
import type { DomainEvent } from '../../domain/events.js';
import type { DeliveryJobQueue } from '../../ports/delivery-job-queue.js';
import type { DeliveryPayloadStore } from '../../ports/delivery-payload-store.js';
import type { DeliveryRepository } from '../../ports/delivery-repository.js';
import type { WebhookRepository } from '../../ports/webhook-repository.js';

export interface FanOutDeps {
  readonly webhooks: Pick<WebhookRepository, 'listForEvent'>;
  readonly deliveries: Pick<DeliveryRepository, 'create'>;
  readonly payloads: Pick<DeliveryPayloadStore, 'put'>;
  readonly queue: Pick<DeliveryJobQueue, 'send'>;
}

export interface FanOutResult {
  readonly matched: number;
  readonly queued: number;
}

export async function fanOutEvent(deps: FanOutDeps, event: DomainEvent): Promise<FanOutResult> {
  const subscriptions = await deps.webhooks.listForEvent(event.tenantId, event.type, event.sessionId);
  const jobs = await Promise.all(
    subscriptions.map(async (subscription): Promise<DeliveryJob | null> => {
      const { delivery, created } = await deps.deliveries.create({
        webhookId: subscription.id,
        tenantId: event.tenantId,
        eventId: event.id,
        eventType: event.type,
        createdAt: event.createdAt,
      });
      if (!created && (delivery.status !== 'pending' || delivery.attempts > 0)) return null;
      // Kept for replays; written again on a rerun in case the first run died before this line.
      await deps.payloads.put(subscription.id, delivery.id, event);
      return { webhookId: subscription.id, tenantId: event.tenantId, deliveryId: delivery.id, event };
    }),
  );
  const toQueue = jobs.filter((job): job is DeliveryJob => job !== null);
  if (toQueue.length > 0) await deps.queue.send(toQueue);
  return { matched: subscriptions.length, queued: toQueue.length };
}
