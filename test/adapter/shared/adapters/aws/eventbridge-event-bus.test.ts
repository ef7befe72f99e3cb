import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startLocalEventBridge,
  type PutEventsEntry,
  type RunningEventBridge,
} from '../../../../../local/eventbridge.js';
import { startFauxqsServer, type RunningFauxqs } from '../../../../../local/fauxqs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../../local/local-aws.js';
import { silentLog } from '../../../../../local/log.js';
import { createQueues, type CreatedQueue } from '../../../../../local/queues.js';
import { EventBridgeEventBus } from '../../../../../shared/adapters/aws/eventbridge-event-bus.js';
import { EVENT_RULES } from '../../../../../shared/definitions/event-rules.js';
import { makeEvent, type DomainEvent } from '../../../../../shared/domain/events.js';
import { newId } from '../../../../../shared/domain/ids.js';
import { EventPublishError } from '../../../../../shared/ports/event-bus.js';

const BUS = 'test-events';

function statusEvent(reason = 'test'): DomainEvent {
  return makeEvent('session.status', {
    tenantId: newId(),
    sessionId: newId(),
    data: { status: 'connected', reason },
  });
}

describe('EventBridgeEventBus', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let queue: CreatedQueue;
  let bridge: RunningEventBridge;
  let client: EventBridgeClient;
  const batchSizes: number[] = [];
  /** Entries to fail, by Detail substring: how many more times, and with which code. */
  const faults = new Map<string, { times: number; code: string }>();

  beforeAll(async () => {
    fauxqs = await startFauxqsServer();
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const created = await createQueues(sqs, 'bus-', [
      { logicalName: 'webhookFanout', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
    ]);
    if (!created.webhookFanout) throw new Error('queue missing');
    queue = created.webhookFanout;
    bridge = await startLocalEventBridge({
      sqs,
      busName: BUS,
      queueUrl: (q) => created[q]?.url,
      rules: EVENT_RULES,
      log: silentLog,
      failEntry: (entry: PutEventsEntry) => {
        for (const [needle, fault] of faults) {
          if (entry.Detail?.includes(needle) && fault.times > 0) {
            fault.times--;
            return { ErrorCode: fault.code, ErrorMessage: 'injected' };
          }
        }
        return undefined;
      },
    });
    client = new EventBridgeClient({
      endpoint: bridge.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutEventsCommand') {
          batchSizes.push((args.input as { Entries: unknown[] }).Entries.length);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
  });
  afterAll(async () => {
    client?.destroy();
    await bridge?.stop();
    sqs?.destroy();
    await fauxqs?.stop();
  });

  const bus = (maxAttempts = 3) =>
    new EventBridgeEventBus({
      client,
      busName: BUS,
      maxAttempts,
      baseDelayMs: 1,
      sleep: async () => undefined,
    });

  async function drainQueue(): Promise<Record<string, unknown>[]> {
    await bridge.drain();
    const bodies: Record<string, unknown>[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>));
    }
  }

  it('publishes in batches of at most 10 with source wa-platform and the event as detail', async () => {
    batchSizes.length = 0;
    const events = Array.from({ length: 23 }, () => statusEvent());
    await bus().publish(events);
    expect(batchSizes).toEqual([10, 10, 3]);
    const delivered = await drainQueue();
    expect(delivered).toHaveLength(23);
    const first = delivered.find((d) => (d.detail as DomainEvent).id === events[0]?.id);
    expect(first).toMatchObject({
      source: 'wa-platform',
      'detail-type': 'session.status',
      detail: events[0],
    });
  });

  it('publishes a large burst completely, never more than 10 entries per call', async () => {
    const many = Array.from({ length: 105 }, () => statusEvent('r'.repeat(490)));
    batchSizes.length = 0;
    await bus().publish(many);
    expect(batchSizes).toEqual([...Array.from({ length: 10 }, () => 10), 5]);
    expect(await drainQueue()).toHaveLength(105);
  });

  it('retries entries that failed transiently and succeeds', async () => {
    const flaky = statusEvent('flaky-once');
    faults.set('flaky-once', { times: 2, code: 'ThrottlingException' });
    await bus(3).publish([statusEvent(), flaky]);
    const delivered = await drainQueue();
    expect(delivered.map((d) => (d.detail as DomainEvent).id)).toContain(flaky.id);
    expect(faults.get('flaky-once')?.times).toBe(0);
  });

  it('throws an EventPublishError naming what still failed after the bounded retries', async () => {
    const doomed = statusEvent('always-fails');
    const fine = statusEvent();
    faults.set('always-fails', { times: 100, code: 'InternalException' });
    const error = await bus(3)
      .publish([doomed, fine])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).failures).toEqual([
      { eventId: doomed.id, type: 'session.status', error: 'InternalException: injected' },
    ]);
    // Three attempts, no more.
    expect(faults.get('always-fails')?.times).toBe(97);
    const delivered = await drainQueue();
    expect(delivered.map((d) => (d.detail as DomainEvent).id)).toEqual([fine.id]);
  });

  it('does not retry permanent entry errors', async () => {
    const bad = statusEvent('malformed-on-purpose');
    faults.set('malformed-on-purpose', { times: 100, code: 'MalformedDetail' });
    await expect(bus(5).publish([bad])).rejects.toBeInstanceOf(EventPublishError);
    expect(faults.get('malformed-on-purpose')?.times).toBe(99);
  });

  it('refuses an event that does not match the domain schema before calling AWS', async () => {
    batchSizes.length = 0;
    const broken = { ...statusEvent(), tenantId: 'nope' } as DomainEvent;
    await expect(bus().publish([broken])).rejects.toThrow();
    expect(batchSizes).toEqual([]);
  });
});
