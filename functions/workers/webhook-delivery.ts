/**
 * Consumer of the `webhookDelivery` queue: one job = one signed POST of one event to one endpoint.
 *
 * Only delivered (or moot) jobs are acknowledged. A failed attempt sets the message's visibility timeout to the
 * backoff delay and reports the record in `batchItemFailures`, so SQS shows it again when the retry is due; the
 * attempt number is SQS's `ApproximateReceiveCount`. The last attempt marks the delivery `failed` and makes the
 * message visible at once, and the queue's redrive policy (`maxReceiveCount`) moves it to the DLQ. A crash
 * mid-batch acknowledges nothing: the whole batch comes back, and jobs already delivered are skipped because
 * their delivery is `succeeded`.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DeliveryJobSchema } from '../../shared/contracts/webhook-delivery-job.js';
import { fetchPublic } from '../../shared/net/public-url.js';
import type { DeliveryJobQueue } from '../../shared/ports/delivery-job-queue.js';
import { deliverWebhook, type DeliverWebhookDeps } from '../../shared/services/webhooks/deliver-webhook.js';
import { eventsRuntime } from '../http/webhooks/runtime.js';
import { workerLogger } from './worker-log.js';

export interface DeliveryWorkerDeps extends DeliverWebhookDeps {
  readonly queue: Pick<DeliveryJobQueue, 'retryAfter'>;
}

/** Thrown to report a record as failed to the batch processor; the message stays on the queue. */
class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';
}

export function createDeliveryHandler(deps: () => DeliveryWorkerDeps) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const d = deps();
        const job = DeliveryJobSchema.parse(JSON.parse(record.body));
        const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
        const outcome = await deliverWebhook(d, job, attempt);
        if (outcome.kind === 'done') return;
        const delay = outcome.kind === 'retry' ? outcome.delaySeconds : 0;
        await d.queue.retryAfter(record.receiptHandle, delay);
        workerLogger().info('webhook delivery attempt failed', {
          webhookId: job.webhookId,
          deliveryId: job.deliveryId,
          attempt,
          outcome: outcome.kind,
          retryInSeconds: outcome.kind === 'retry' ? delay : undefined,
          error: outcome.error,
        });
        throw new DeliveryAttemptFailed(outcome.error);
      },
      processor,
      { context, throwOnFullBatchFailure: false, processInParallel: true },
    );
  };
}

/** Plaintext signing secrets per subscription (they never change), so a burst costs one KMS call per endpoint. */
const secretCache = new Map<string, string>();
const SECRET_CACHE_MAX = 1_000;

async function cachedSigningSecret(tenantId: string, webhookId: string): Promise<string | null> {
  const key = `${tenantId}/${webhookId}`;
  const hit = secretCache.get(key);
  if (hit !== undefined) return hit;
  const rt = eventsRuntime();
  const sealed = await rt.repositories.webhooks.getSigningSecret(tenantId, webhookId);
  if (sealed === null) return null;
  const secret = await rt.secrets.open(sealed, tenantId, webhookId);
  if (secretCache.size >= SECRET_CACHE_MAX) secretCache.delete(secretCache.keys().next().value ?? key);
  secretCache.set(key, secret);
  return secret;
}

export const handler = createDeliveryHandler(() => {
  const rt = eventsRuntime();
  return {
    webhooks: rt.repositories.webhooks,
    deliveries: rt.repositories.deliveries,
    health: rt.health,
    signingSecret: cachedSigningSecret,
    post: fetchPublic,
    settings: rt.settings,
    localMode: rt.config.APP_LOCAL_MODE,
    queue: rt.deliveryQueue,
    log: (level, message, fields) => workerLogger()[level](message, fields),
  };
});
