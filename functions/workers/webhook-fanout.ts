/**
 * Consumer of the `webhookFanout` queue, fed by the `webhook-fanout` EventBridge rule with every domain event.
 * Each record is one EventBridge event whose `detail` is the domain event; it becomes one delivery (and one job
 * on the `webhookDelivery` queue) per matching subscription. Records are handled independently and reported
 * with `batchItemFailures`, so one bad record does not replay the others; a record that cannot be parsed fails
 * until the queue's DLQ takes it (it is never silently dropped).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { EVENT_SOURCE } from '../../shared/definitions/event-rules.js';
import { DomainEventSchema } from '../../shared/domain/events.js';
import { fanOutEvent, type FanOutDeps } from '../../shared/services/webhooks/fan-out.js';
import { eventsRuntime } from '../http/webhooks/runtime.js';
import { workerLogger } from './worker-log.js';

/** What the rule's SQS target receives: the EventBridge envelope with our event as `detail`. */
const EventBridgeRecordSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  detail: DomainEventSchema,
});

export function createFanOutHandler(deps: () => FanOutDeps) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const parsed = EventBridgeRecordSchema.safeParse(parseJson(record.body));
        if (!parsed.success) {
          workerLogger().error('malformed event on the fan-out queue', {
            messageId: record.messageId,
            issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          });
          throw new Error('malformed event');
        }
        const domainEvent = parsed.data.detail;
        const result = await fanOutEvent(deps(), domainEvent);
        workerLogger().debug('event fanned out', {
          eventId: domainEvent.id,
          type: domainEvent.type,
          ...result,
        });
      },
      processor,
      { context, throwOnFullBatchFailure: false, processInParallel: true },
    );
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
