/**
 * The local SQS -> Lambda event source mapping on its own (fauxqs, real SDK): batch sizes, deletes, partial batch
 * responses, and Lambda's concurrent batches. Its path from the local EventBridge is in eventbridge.test.ts.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONCURRENT_BATCHES, startEventSourceMapping } from '../../../local/event-source-mapping.js';
import { startFauxqsServer, type RunningFauxqs } from '../../../local/fauxqs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';
import { createQueues, type CreatedQueue } from '../../../local/queues.js';
import { eventually } from '../../support/api-client.js';

describe('event source mapping', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let queue: CreatedQueue;

  beforeAll(async () => {
    fauxqs = await startFauxqsServer();
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const created = await createQueues(sqs, 'esm-', [
      { logicalName: 'webhookDelivery', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
    ]);
    if (!created.webhookDelivery) throw new Error('queue missing');
    queue = created.webhookDelivery;
  });
  afterAll(async () => {
    sqs?.destroy();
    await fauxqs?.stop();
  });

  it('honours the batch size, passes message attributes and deletes what succeeded', async () => {
    const seen: SQSRecord[][] = [];
    for (let i = 0; i < 5; i++) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: `m${i}`,
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'job' } },
        }),
      );
    }
    const mapping = startEventSourceMapping({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      fn: {
        functionName: 't',
        timeoutMs: 5_000,
        handler: async (e) => void seen.push((e as SQSEvent).Records),
      },
      batchSize: 2,
      reportBatchItemFailures: false,
      waitTimeSeconds: 1,
      log: silentLog,
    });
    await eventually(
      'five records handled',
      async () => (seen.flat().length >= 5 ? true : undefined),
      8_000,
      50,
    );
    const started = Date.now();
    await mapping.stop();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(seen.every((batch) => batch.length <= 2)).toBe(true);
    expect(
      seen
        .flat()
        .map((r) => r.body)
        .sort(),
    ).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(seen[0]?.[0]?.messageAttributes.kind).toEqual({
      stringValue: 'job',
      stringListValues: [],
      binaryListValues: [],
      dataType: 'String',
    });
    // Deleted, not merely invisible: a fresh receive with visibility 0 override would still find nothing.
    const left = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
    );
    expect(left.Messages ?? []).toEqual([]);
  });

  /**
   * Sends `pending + inFlight` messages and runs a mapping (batch size 1) whose handler holds every batch until
   * released: `inFlight` batches must be in hand at once, and the others untouched.
   */
  async function holdBatches(prefix: string, concurrency: number | undefined, inFlight: number) {
    const created = await createQueues(sqs, prefix, [
      { logicalName: 'webhookDelivery', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
    ]);
    const q = created.webhookDelivery;
    if (!q) throw new Error('queue missing');
    const pending = 2;
    for (let i = 0; i < inFlight + pending; i++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: `slow${i}` }));
    }
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let active = 0;
    let maxActive = 0;
    const finished: string[] = [];
    const mapping = startEventSourceMapping({
      sqs,
      queueUrl: q.url,
      queueArn: q.arn,
      fn: {
        functionName: 't',
        timeoutMs: 10_000,
        handler: async (e) => {
          active++;
          maxActive = Math.max(maxActive, active);
          await gate;
          active--;
          finished.push(...(e as SQSEvent).Records.map((r) => r.body));
        },
      },
      batchSize: 1,
      reportBatchItemFailures: false,
      waitTimeSeconds: 1,
      log: silentLog,
      ...(concurrency === undefined ? {} : { concurrency }),
    });
    await eventually(
      'every batch in flight',
      async () => (active === inFlight ? true : undefined),
      8_000,
      50,
    );
    return { q, pending, mapping, release, finished, maxActive: () => maxActive };
  }

  it("runs Lambda's five batches at once by default: slow invocations overlap", async () => {
    const run = await holdBatches('esm-overlap-', undefined, DEFAULT_CONCURRENT_BATCHES);
    run.release();
    await run.mapping.stop();
    expect(run.maxActive()).toBe(DEFAULT_CONCURRENT_BATCHES);
  });

  it("stop() waits for every poller's batch in hand and takes no new one", async () => {
    const run = await holdBatches('esm-stop-', 3, 3);
    let stopped = false;
    const stopping = run.mapping.stop().then(() => (stopped = true));
    // A stop that returned with batches still in hand would let the cloud shut down under them.
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    run.release();
    await stopping;
    expect(run.maxActive()).toBe(3);
    expect(run.finished).toHaveLength(3);
    // The pollers stopped after their batch: the other messages were never received.
    const left = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: run.q.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect((left.Messages ?? []).map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(
      Array.from({ length: run.pending }, () => '1'),
    );
  });

  it('treats a batchItemFailures entry naming an unknown message as a whole-batch failure', async () => {
    const created = await createQueues(sqs, 'esm-bogus-', [
      { logicalName: 'webhookDelivery', visibilityTimeoutSeconds: 1, maxReceiveCount: 5 },
    ]);
    const short = created.webhookDelivery;
    if (!short) throw new Error('queue missing');
    await sqs.send(new SendMessageCommand({ QueueUrl: short.url, MessageBody: 'bogus-response' }));
    const receiveCounts: string[] = [];
    const mapping = startEventSourceMapping({
      sqs,
      queueUrl: short.url,
      queueArn: short.arn,
      fn: {
        functionName: 't',
        timeoutMs: 5_000,
        handler: async (e) => {
          receiveCounts.push((e as SQSEvent).Records[0]?.attributes.ApproximateReceiveCount ?? '?');
          return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
        },
      },
      batchSize: 10,
      reportBatchItemFailures: true,
      waitTimeSeconds: 1,
      log: silentLog,
    });
    // Not deleted: it comes back after the 1 s visibility timeout.
    await eventually('two receives', async () => (receiveCounts.length >= 2 ? true : undefined), 8_000, 50);
    await mapping.stop();
    expect(receiveCounts.slice(0, 2)).toEqual(['1', '2']);
  });
});
