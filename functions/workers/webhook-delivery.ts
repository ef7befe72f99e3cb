/**
 * Consumer of the `webhookDelivery` queue: one job = one signed POST of one event to one endpoint. The records
 * of a batch are delivered in parallel over kept-alive connections, at most
 * `APP_WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT` at a time per endpoint, sharing their DynamoDB round trips.
 *
 * Only delivered, moot or exhausted jobs are acknowledged. A failed attempt sets the message's visibility timeout
 * to the backoff delay and reports the record in `batchItemFailures`, so SQS shows it again when the retry is due.
 * The attempt number is the delivery's recorded attempts (`nextAttemptNumber`), not SQS's receive count, so a
 * receive that failed before its POST (a throttled read, a crash, a lost answer) uses up no attempt. The last
 * attempt marks the delivery `failed` and acknowledges the message: the tenant replays it from the log. The
 * queue's redrive policy (`maxReceiveCount`, well above the attempts) moves to the DLQ only jobs the worker
 * itself failed on again and again: a platform fault, with its alarm. A crash mid-batch acknowledges nothing: the
 * whole batch comes back, and jobs already delivered are skipped because their delivery is `succeeded` (one whose
 * success was not written yet, or whose group-commit write failed, is sent again under the same `webhook-id`: at
 * least once).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DeliveryJobSchema } from '../../shared/contracts/webhook-delivery-job.js';
import type { Delivery } from '../../shared/domain/delivery.js';
import { PinnedAgentPool } from '../../shared/net/pinned-agent-pool.js';
import { fetchPublic } from '../../shared/net/public-url.js';
import type { DeliveryJobQueue } from '../../shared/ports/delivery-job-queue.js';
import type {
  DeliveryKey,
  DeliveryRepository,
  SucceededAttempt,
} from '../../shared/ports/delivery-repository.js';
import { deliverWebhook, type DeliverWebhookDeps } from '../../shared/services/webhooks/deliver-webhook.js';
import { EndpointConcurrency, endpointKey } from '../../shared/services/webhooks/endpoint-concurrency.js';
import { groupCommit } from '../../shared/services/webhooks/group-commit.js';
import { eventsRuntime } from '../webhooks-runtime.js';
import { workerLogger } from './worker-log.js';

export interface DeliveryWorkerDeps extends DeliverWebhookDeps {
  readonly deliveries: DeliverWebhookDeps['deliveries'] &
    Pick<DeliveryRepository, 'getMany' | 'markSucceededMany'>;
  readonly queue: Pick<DeliveryJobQueue, 'retryAfter'>;
}

/** Thrown to report a record as failed to the batch processor; the message stays on the queue. */
class DeliveryAttemptFailed extends Error {
  override readonly name = 'DeliveryAttemptFailed';
}

/** DynamoDB's per-call limit for both batched calls. */
const MAX_BATCH = 100;

/**
 * The records of one invocation share round trips: their delivery reads become one `BatchGetItem`, their
 * subscription reads one `GetItem` per endpoint, and their success writes one transaction per group commit.
 */
function sharingRoundTrips(d: DeliveryWorkerDeps): DeliverWebhookDeps {
  const getDelivery = groupCommit<DeliveryKey, Delivery | null>(
    (keys) => d.deliveries.getMany(keys),
    MAX_BATCH,
  );
  const markSucceeded = groupCommit<SucceededAttempt, void>(async (attempts) => {
    await d.deliveries.markSucceededMany(attempts);
    return attempts.map(() => undefined);
  }, MAX_BATCH);
  const subscriptions = new Map<string, ReturnType<DeliverWebhookDeps['webhooks']['get']>>();
  return {
    ...d,
    webhooks: {
      get: (tenantId, webhookId) => {
        const key = `${tenantId}/${webhookId}`;
        let found = subscriptions.get(key);
        if (!found) {
          found = d.webhooks.get(tenantId, webhookId);
          subscriptions.set(key, found);
        }
        return found;
      },
    },
    // The repository is a class: its methods are bound one by one (a spread would drop them).
    deliveries: {
      recordAttempt: (webhookId, deliveryId, outcome) =>
        d.deliveries.recordAttempt(webhookId, deliveryId, outcome),
      markFailed: (webhookId, deliveryId, outcome) => d.deliveries.markFailed(webhookId, deliveryId, outcome),
      get: (tenantId, webhookId, deliveryId) => getDelivery({ tenantId, webhookId, deliveryId }),
      markSucceeded: (webhookId, deliveryId, outcome) => markSucceeded({ webhookId, deliveryId, outcome }),
    },
  };
}

export function createDeliveryHandler(deps: () => DeliveryWorkerDeps) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    const workerDeps = deps();
    const d = sharingRoundTrips(workerDeps);
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const job = DeliveryJobSchema.parse(JSON.parse(record.body));
        const outcome = await deliverWebhook(d, job);
        if (outcome.kind === 'done') return;
        const fields = { webhookId: job.webhookId, deliveryId: job.deliveryId, error: outcome.error };
        if (outcome.kind === 'exhausted') {
          workerLogger().info('webhook delivery failed after its last attempt', fields);
          return;
        }
        await workerDeps.queue.retryAfter(record.receiptHandle, outcome.delaySeconds);
        workerLogger().info('webhook delivery attempt failed', {
          ...fields,
          attempt: outcome.attempt,
          retryInSeconds: outcome.delaySeconds,
        });
        throw new DeliveryAttemptFailed(outcome.error);
      },
      processor,
      // Records run side by side; the per-endpoint cap (in `post`) keeps one receiver from taking every slot.
      { context, throwOnFullBatchFailure: false, processInParallel: true },
    );
  };
}

/**
 * Kept for the life of the container: keep-alive connections per endpoint address (the SSRF check still runs
 * for every request, see `PinnedAgentPool`), and the per-endpoint cap on requests in flight.
 */
let connections: { cap: number; agents: PinnedAgentPool; caps: EndpointConcurrency } | undefined;

function cappedKeepAlivePost(cap: number): DeliverWebhookDeps['post'] {
  if (connections?.cap !== cap) {
    connections?.agents.destroy();
    connections = {
      cap,
      agents: new PinnedAgentPool({ maxSocketsPerAgent: cap }),
      caps: new EndpointConcurrency(cap),
    };
  }
  const { agents, caps } = connections;
  return (url, options) => caps.run(endpointKey(url), () => fetchPublic(url, { ...options, agents }));
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
    post: cappedKeepAlivePost(rt.settings.APP_WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT),
    settings: rt.settings,
    localMode: rt.config.APP_LOCAL_MODE,
    queue: rt.deliveryQueue,
    log: (level, message, fields) => workerLogger()[level](message, fields),
  };
});
