/**
 * Consumer of the `poolFailover` queue (docs/pools.md, "Failover worker"). Its records are either a domain event
 * from the `pool-failover-*` rules (the EventBridge envelope, the event as `detail`) or the worker's own
 * re-check of a member (`PoolRecheckJob`, sent with an SQS delay while a member's grace runs):
 *
 * - `session.status` (any but `connected`) and a re-check: look at the member in its pools
 *   (`lookAtMember`: re-route what is queued on it where it is dead, re-check later where it is only down);
 * - `session.restricted`: open or close the member's restricted period, and look at it when it starts (its
 *   timelocked failures are re-sent);
 * - `message.status` `failed` with `poolId`: count the failure, re-send it when it was timelocked.
 *
 * A malformed record is logged and dropped (no retry could fix it). Other failures fail the record only
 * (`batchItemFailures`): it comes back after the visibility timeout, until the DLQ takes it; every step is
 * idempotent, so a retried record does nothing twice.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { SqsPoolRecheckQueue } from '../../shared/adapters/aws/sqs-pool-recheck-queue.js';
import { DynamoPoolMemberStats } from '../../shared/adapters/dynamodb/pool-member-stats.js';
import { PoolRecheckJobSchema } from '../../shared/contracts/pool-failover-job.js';
import { EVENT_SOURCE } from '../../shared/definitions/event-rules.js';
import { DomainEventSchema } from '../../shared/domain/events.js';
import {
  lookAtMember,
  type LookResult,
  onPoolMessageFailed,
  onRestrictionChanged,
  type PoolFailoverDeps,
} from '../../shared/services/pool-failover.js';
import { controlPlane, eventBus } from '../http/runtime.js';
import { appConfig, awsClients, onRuntimeReset } from '../runtime.js';
import { workerLogger } from './worker-log.js';

const EventBridgeRecordSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string(),
  detail: DomainEventSchema,
});

const RecordBodySchema = z.union([PoolRecheckJobSchema, EventBridgeRecordSchema]);

/** What one record says, validated; the issues instead when it is not ours (the handler logs and drops it). */
export function parseFailoverRecord(
  body: string,
): z.infer<typeof RecordBodySchema> | { readonly issues: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { issues: ['not JSON'] };
  }
  const parsed = RecordBodySchema.safeParse(json);
  return parsed.success
    ? parsed.data
    : { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

/**
 * Members already looked at in this batch. A look reads the member's current state, which is at least as new as
 * any record of it in the batch (a status is written before its event is published, and the batch was received
 * after that), so a second status or re-check of the same member in one batch would repeat the look's reads for
 * nothing: a reconnect loop or a failover's burst of statuses cost one `Query` of the tenant's pools per record.
 */
type LookedAt = Set<string>;

async function lookOnce(
  deps: PoolFailoverDeps,
  looked: LookedAt,
  tenantId: string,
  sessionId: string,
): Promise<LookResult | 'already-looked-at'> {
  const key = `${tenantId}/${sessionId}`;
  if (looked.has(key)) return 'already-looked-at';
  const result = await lookAtMember(deps, tenantId, sessionId);
  looked.add(key);
  return result;
}

async function handleRecord(deps: PoolFailoverDeps, looked: LookedAt, record: SQSRecord): Promise<void> {
  const parsed = parseFailoverRecord(record.body);
  const log = workerLogger();
  if ('issues' in parsed) {
    log.error('malformed record on the pool failover queue, dropped', {
      messageId: record.messageId,
      issues: parsed.issues,
    });
    return;
  }
  if ('kind' in parsed) {
    const result = await lookOnce(deps, looked, parsed.tenantId, parsed.sessionId);
    if (result !== 'already-looked-at')
      log.info('pool member re-checked', { sessionId: parsed.sessionId, ...result });
    return;
  }
  const event = parsed.detail;
  switch (event.type) {
    case 'session.status': {
      if (event.data.status === 'connected') return;
      const result = await lookOnce(deps, looked, event.tenantId, event.sessionId);
      if (result !== 'already-looked-at')
        log.info('pool member looked at', {
          sessionId: event.sessionId,
          status: event.data.status,
          ...result,
        });
      return;
    }
    case 'session.restricted': {
      const result = await onRestrictionChanged(deps, event);
      log.info('pool member restriction', {
        sessionId: event.sessionId,
        active: event.data.active,
        ...result,
      });
      return;
    }
    case 'message.status': {
      const result = await onPoolMessageFailed(deps, event);
      log.info('pool message failure', { messageId: event.data.messageId, ...result });
      return;
    }
    default:
      log.warn('event the pool failover worker does not handle, dropped', { type: event.type });
  }
}

export function createPoolFailoverHandler(deps: () => PoolFailoverDeps) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    const workerDeps = deps();
    const looked: LookedAt = new Set();
    return processPartialResponse(
      event,
      (record: SQSRecord) => handleRecord(workerDeps, looked, record),
      processor,
      {
        context,
        throwOnFullBatchFailure: false,
        // One record at a time: two records of one member (its status and its restriction) would race their
        // re-routes for nothing (each would be refused but one, at the cost of a transaction each).
        processInParallel: false,
      },
    );
  };
}

let runtime: PoolFailoverDeps | undefined;
onRuntimeReset(() => (runtime = undefined));

export const handler = createPoolFailoverHandler(() => {
  if (!runtime) {
    const cfg = appConfig();
    const aws = awsClients();
    runtime = {
      ...controlPlane(),
      events: eventBus(),
      stats: new DynamoPoolMemberStats({ dynamo: aws.dynamo, config: cfg }),
      recheck: new SqsPoolRecheckQueue(aws.sqs, cfg.APP_RESOURCE_PREFIX),
    };
  }
  return runtime;
});
