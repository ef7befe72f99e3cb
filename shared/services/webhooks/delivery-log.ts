/**
 * `GET /v1/webhooks/{webhookId}/deliveries` and `POST .../deliveries/{deliveryId}/retry`. A replay sets the
 * delivery back to `pending` and puts a new job on the delivery queue with the stored event, under the same
 * `webhook-id`, so a receiver that already processed it can tell.
 */
import type { DeliveryJob } from '../../contracts/webhook-delivery-job.js';
import type { Delivery } from '../../domain/delivery.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { nowIso } from '../../domain/ids.js';
import type { DeliveryJobQueue } from '../../ports/delivery-job-queue.js';
import type { DeliveryPayloadStore } from '../../ports/delivery-payload-store.js';
import type { DeliveryRepository } from '../../ports/delivery-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import type { WebhookRepository } from '../../ports/webhook-repository.js';

export interface DeliveryLogDeps {
  readonly webhooks: Pick<WebhookRepository, 'get'>;
  readonly deliveries: DeliveryRepository;
  readonly payloads: Pick<DeliveryPayloadStore, 'get'>;
  readonly queue: Pick<DeliveryJobQueue, 'send'>;
}

/** The tenant is implicit in the API. */
export type DeliveryView = Omit<Delivery, 'tenantId' | 'replayedAtAttempts'>;

function toView(delivery: Delivery): DeliveryView {
  const { tenantId: _tenantId, replayedAtAttempts: _round, ...view } = delivery;
  return view;
}

async function requireWebhook(deps: Pick<DeliveryLogDeps, 'webhooks'>, tenantId: string, webhookId: string) {
  const webhook = await deps.webhooks.get(tenantId, webhookId);
  if (!webhook) throw new NotFoundError(`webhook ${webhookId} not found`);
  return webhook;
}

export async function listDeliveries(
  deps: Pick<DeliveryLogDeps, 'webhooks' | 'deliveries'>,
  tenantId: string,
  webhookId: string,
  page: PageRequest,
): Promise<Page<DeliveryView>> {
  await requireWebhook(deps, tenantId, webhookId);
  const result = await deps.deliveries.listByWebhook(tenantId, webhookId, page);
  return { ...result, items: result.items.map(toView) };
}

export async function retryDelivery(
  deps: DeliveryLogDeps,
  tenantId: string,
  webhookId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  const webhook = await requireWebhook(deps, tenantId, webhookId);
  const delivery = await deps.deliveries.get(tenantId, webhookId, deliveryId);
  if (!delivery) throw new NotFoundError(`delivery ${deliveryId} not found`);
  if (!webhook.enabled) {
    throw new ConflictError('the webhook is disabled; enable it (PATCH {"enabled": true}) before a replay');
  }
  const event = await deps.payloads.get(webhookId, deliveryId);
  if (!event) throw new ConflictError(`delivery ${deliveryId} has no stored event to replay`);
  const replayed = await deps.deliveries.markReplayed(tenantId, webhookId, deliveryId, nowIso());
  const job: DeliveryJob = { webhookId, tenantId, deliveryId, event };
  await deps.queue.send([job]);
  return toView(replayed);
}
