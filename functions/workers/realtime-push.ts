/**
 * Consumer of the `realtimePush` queue, fed by the `realtime-push` EventBridge rule with the domain events a
 * console shows live (`WS_EVENT_TYPES`: message.received, message.status, chat.updated, session.status,
 * session.restricted, message.edited, message.revoked, poll.vote,
 * presence.updated, call.received). Each event is pushed as is (the envelope, `WsEventFrameSchema`) to its tenant's room:
 * every live WebSocket connection of the tenant that is tenant-wide or bound to the event's session
 * (docs/events-and-webhooks.md, "Realtime push").
 *
 * - A malformed record (not an event of ours, or a type the frame contract does not carry) is logged and dropped:
 *   retrying it could never succeed, and realtime frames are a view, not a record (webhooks and the API are).
 * - A gone connection (410) is deleted by the pusher; another failed post (throttled) is logged and not retried,
 *   since a retry would post the frame again to the connections that got it.
 * - Infrastructure failures (listing the connections) fail the record only; it comes back after the visibility
 *   timeout (`batchItemFailures`), until the queue's DLQ takes it.
 * - The records of a batch share one listing per tenant (`forOneBatch`): a burst of a tenant's events costs one
 *   Query per batch, not one per event.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import {
  ApiGatewayWsPusher,
  createApiGatewayManagementClient,
} from '../../shared/adapters/aws/api-gateway-ws-pusher.js';
import { DynamoWsConnectionRepository } from '../../shared/adapters/dynamodb/ws-connection-repository.js';
import { WsEventFrameSchema, type WsEventFrame } from '../../shared/contracts/ws-frames.js';
import { EVENT_SOURCE } from '../../shared/definitions/event-rules.js';
import { DomainEventSchema } from '../../shared/domain/events.js';
import type { WsRoomPusher } from '../../shared/ports/ws-pusher.js';
import { appConfig, awsClients, onRuntimeReset } from '../runtime.js';
import { workerLogger } from './worker-log.js';

export interface RealtimePushDeps {
  readonly pusher: WsRoomPusher;
}

/** What the rule's SQS target receives: the EventBridge envelope with our event as `detail`. */
const EventBridgeRecordSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  detail: DomainEventSchema,
});

type Parsed = { readonly frame: WsEventFrame } | { readonly issues: string[] };

/** The frame to push for one SQS record: the event validated on the way in, the frame on the way out. */
export function realtimeFrameOf(body: string): Parsed {
  const record = EventBridgeRecordSchema.safeParse(parseJson(body));
  if (!record.success) return { issues: issuesOf(record.error) };
  const frame = WsEventFrameSchema.safeParse(record.data.detail);
  return frame.success ? { frame: frame.data } : { issues: issuesOf(frame.error) };
}

export function createRealtimePushHandler(deps: () => RealtimePushDeps) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    // The batch's events of one tenant share one listing of its connections (one Query, not one per event).
    const { pusher: shared } = deps();
    const pusher = shared.forOneBatch?.() ?? shared;
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const parsed = realtimeFrameOf(record.body);
        if ('issues' in parsed) {
          workerLogger().error('malformed event on the realtime queue, dropped', {
            messageId: record.messageId,
            issues: parsed.issues,
          });
          return;
        }
        const { frame } = parsed;
        const result = await pusher.pushToRoom(frame.tenantId, frame.sessionId, frame);
        workerLogger().debug('event pushed', { eventId: frame.id, type: frame.type, ...result });
      },
      processor,
      { context, throwOnFullBatchFailure: false, processInParallel: true },
    );
  };
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let runtime: RealtimePushDeps | undefined;
onRuntimeReset(() => (runtime = undefined));

export const handler = createRealtimePushHandler(() => {
  if (!runtime) {
    const config = appConfig();
    runtime = {
      pusher: new ApiGatewayWsPusher({
        client: createApiGatewayManagementClient(config),
        connections: new DynamoWsConnectionRepository({ dynamo: awsClients().dynamo, config }),
        onError: (connectionId, error) =>
          workerLogger().warn('realtime frame not delivered', {
            connectionId,
            error: error instanceof Error ? error.message : String(error),
          }),
      }),
    };
  }
  return runtime;
});
