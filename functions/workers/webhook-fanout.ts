/**
 * Consumer of the `webhookFanout` queue, fed by the `webhook-fanout` EventBridge rule with every domain event.
 * Each record is one EventBridge event whose `detail` is the domain event; it becomes one delivery (and one job
 * on the `webhookDelivery` queue) per matching subscription. The records of a batch are fanned out together
 * (deliveries written in one transaction per 100, jobs sent 10 per `SendMessageBatch`); failures are reported
 * with `batchItemFailures`: a record that cannot be parsed fails alone until the queue's DLQ takes it (it is never
 * silently dropped), and a failed write fails the parsed records of the batch, which a rerun handles idempotently.
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { EVENT_SOURCE } from '../../shared/definitions/event-rules.js';
import { DomainEventSchema, type DomainEvent } from '../../shared/domain/events.js';
import { fanOutEvents, type FanOutDeps } from '../../shared/services/webhooks/fan-out.js';
import { eventsRuntime } from '../webhooks-runtime.js';
import { workerLogger } from './worker-log.js';

/** What the rule's SQS target receives: the EventBridge envelope with our event as `detail`. */
const EventBridgeRecordSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  detail: DomainEventSchema,
});

export function createFanOutHandler(deps: () => FanOutDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchItemFailure[] = [];
    const parsed: { record: SQSRecord; event: DomainEvent }[] = [];
    for (const record of event.Records) {
      const result = EventBridgeRecordSchema.safeParse(parseJson(record.body));
      if (result.success) {
        parsed.push({ record, event: result.data.detail });
        continue;
      }
      workerLogger().error('malformed event on the fan-out queue', {
        messageId: record.messageId,
        issues: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
    if (parsed.length === 0) return { batchItemFailures: failures };
    try {
      // The whole batch in one go: deliveries and jobs written in batches across its events.
      const result = await fanOutEvents(
        deps(),
        parsed.map((p) => p.event),
      );
      workerLogger().debug('events fanned out', { events: parsed.length, ...result });
    } catch (error) {
      // Every event of the batch comes back; a rerun is idempotent (see `fanOutEvents`).
      workerLogger().error('fan-out failed; the batch will be retried', {
        events: parsed.length,
        error: error instanceof Error ? error.message : String(error),
      });
      failures.push(...parsed.map((p) => ({ itemIdentifier: p.record.messageId })));
    }
    return { batchItemFailures: failures };
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const handler = createFanOutHandler(() => {
  const rt = eventsRuntime();
  return {
    webhooks: rt.repositories.webhooks,
    deliveries: rt.repositories.deliveries,
    payloads: rt.payloads,
    queue: rt.deliveryQueue,
  };
});
