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
import type { WebhookSubscription } from '../../domain/webhook.js';

export interface FanOutDeps {
  readonly webhooks: Pick<WebhookRepository, 'listForEvent'>;
  /** With `createMany`, the deliveries of a batch (and their payloads) are written in one round trip. */
  readonly deliveries: Pick<DeliveryRepository, 'create'> & Partial<Pick<DeliveryRepository, 'createMany'>>;
  readonly payloads: Pick<DeliveryPayloadStore, 'put'>;
  readonly queue: Pick<DeliveryJobQueue, 'send'>;
}

export interface FanOutResult {
  readonly matched: number;
  readonly queued: number;
}

export function fanOutEvent(deps: FanOutDeps, event: DomainEvent): Promise<FanOutResult> {
  return fanOutEvents(deps, [event]);
}

/**
 * The events of one queue batch together: their deliveries written in batches, their jobs sent in batches of
 * 10 across events. All or nothing for the caller: if it throws, every event is retried (which is safe, see above).
 */
export async function fanOutEvents(deps: FanOutDeps, events: readonly DomainEvent[]): Promise<FanOutResult> {
  // One subscription read per (tenant, type, session) in the batch, not per event.
  const lists = new Map<string, Promise<WebhookSubscription[]>>();
  const pairs = (
    await Promise.all(
      events.map(async (event) => {
        const key = `${event.tenantId}/${event.type}/${event.sessionId}`;
        let list = lists.get(key);
        if (!list) {
          list = deps.webhooks.listForEvent(event.tenantId, event.type, event.sessionId);
          lists.set(key, list);
        }
        return (await list).map((subscription) => ({ subscription, event }));
      }),
    )
  ).flat();
  const inputs = pairs.map(({ subscription, event }) => ({
    webhookId: subscription.id,
    tenantId: event.tenantId,
    eventId: event.id,
    eventType: event.type,
    createdAt: event.createdAt,
    payload: event,
  }));
  const created = deps.deliveries.createMany
    ? await deps.deliveries.createMany(inputs)
    : await Promise.all(inputs.map(({ payload: _payload, ...input }) => deps.deliveries.create(input)));
  const jobs = await Promise.all(
    pairs.map(async ({ subscription, event }, i): Promise<DeliveryJob | null> => {
      const result = created[i];
      if (!result) throw new Error('a delivery was not created');
      const { delivery } = result;
      if (!result.created && (delivery.status !== 'pending' || delivery.attempts > 0)) return null;
      // Kept for replays (`createMany` wrote it with the item); written again on a rerun in case the first run
      // died before it was.
      if (!result.created || !deps.deliveries.createMany) {
        await deps.payloads.put(subscription.id, delivery.id, event);
      }
      return { webhookId: subscription.id, tenantId: event.tenantId, deliveryId: delivery.id, event };
    }),
  );
  const toQueue = jobs.filter((job): job is DeliveryJob => job !== null);
  if (toQueue.length > 0) await deps.queue.send(toQueue);
  return { matched: pairs.length, queued: toQueue.length };
}
