import { createHash, randomBytes } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEventSourceMapping,
  type RunningEventSourceMapping,
} from '../../../local/event-source-mapping.js';
import { startLocalEventBridge, type RunningEventBridge } from '../../../local/eventbridge.js';
import { startFauxqsServer, type RunningFauxqs } from '../../../local/fauxqs.js';
import type { LambdaFunction } from '../../../local/lambda-runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';
import { createQueues, type CreatedQueue } from '../../../local/queues.js';
import type { EventRuleDefinition } from '../../../shared/definitions/event-rules.js';
import type { QueueDefinition } from '../../../shared/definitions/queues.js';
import { eventually } from '../../support/api-client.js';

/** Short visibility timeouts keep the redrive path to about two seconds. */
const TEST_QUEUES: QueueDefinition[] = [
  { logicalName: 'webhookFanout', visibilityTimeoutSeconds: 1, maxReceiveCount: 2 },
  { logicalName: 'webhookDelivery', visibilityTimeoutSeconds: 1, maxReceiveCount: 1 },
];
const RULES: EventRuleDefinition[] = [
  {
    ruleName: 'all-platform-events',
    description: 'test',
    pattern: { source: ['wa-platform'], detail: { tenantId: [{ exists: true }] } },
    targetQueue: 'webhookFanout',
  },
  {
    ruleName: 'session-events-only',
    description: 'test',
    pattern: { source: ['wa-platform'], 'detail-type': [{ prefix: 'session.' }] },
    targetQueue: 'webhookDelivery',
  },
];

async function receiveAll(sqs: SQSClient, queueUrl: string, waitSeconds = 1): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  return Messages.map((m) => m.Body ?? '');
}

describe('local EventBridge -> SQS -> event source mapping', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let bus: RunningEventBridge;
  let events: EventBridgeClient;
  let queues: Partial<Record<string, CreatedQueue>>;
  let mapping: RunningEventSourceMapping;
  const batches: SQSRecord[][] = [];
  const busName = `t${randomBytes(3).toString('hex')}-events`;

  /** Fails records whose detail says so (partial batch response), throws for `throw`. */
  const fanout: LambdaFunction = {
    functionName: 'test-fanout',
    timeoutMs: 5_000,
    handler: async (event) => {
      const { Records } = event as SQSEvent;
      batches.push(Records);
      const kinds = Records.map((r) => (JSON.parse(r.body) as { detail: { kind: string } }).detail.kind);
      if (kinds.includes('throw')) throw new Error('handler crash (test)');
      return {
        batchItemFailures: Records.filter((_, i) => kinds[i] === 'fail').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    },
  };

  beforeAll(async () => {
    fauxqs = await startFauxqsServer();
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    queues = await createQueues(sqs, `${busName}-`, TEST_QUEUES);
    bus = await startLocalEventBridge({
      sqs,
      busName,
      rules: RULES,
      queueUrl: (q) => queues[q]?.url,
      log: silentLog,
    });
    events = new EventBridgeClient({
      endpoint: bus.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const q = queues.webhookFanout;
    if (!q) throw new Error('queue missing');
    mapping = startEventSourceMapping({
      sqs,
      queueUrl: q.url,
      queueArn: q.arn,
      fn: fanout,
      batchSize: 10,
      reportBatchItemFailures: true,
      waitTimeSeconds: 1,
      log: silentLog,
    });
  });
  afterAll(async () => {
    await mapping?.stop();
    await bus?.stop();
    events?.destroy();
    sqs?.destroy();
    await fauxqs?.stop();
  });

  const put = (detailType: string, detail: unknown) =>
    events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'wa-platform',
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );

  /** The kinds of the events the fan-out queue's DLQ holds, once it holds any. */
  const deadLetterKinds = async (): Promise<string[]> => {
    const bodies = await eventually(
      'the dead letters',
      async () => {
        const received = await receiveAll(sqs, queues.webhookFanout?.dlqUrl ?? '');
        return received.length > 0 ? received : undefined;
      },
      8_000,
      50,
    );
    return bodies.map((b) => (JSON.parse(b) as { detail: { kind: string } }).detail.kind);
  };

  const findRecord = (kind: string, receiveCount = '1') =>
    batches
      .flat()
      .find(
        (r) =>
          (JSON.parse(r.body) as { detail: { kind: string } }).detail.kind === kind &&
          r.attributes.ApproximateReceiveCount === receiveCount,
      );

  it('delivers an event put with the real SDK to the SQS-triggered handler in the EventBridge envelope', async () => {
    const result = await put('message.status', { tenantId: 'ten_1', kind: 'ok' });
    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    const record = await eventually('the ok event handled', async () => findRecord('ok'), 8_000, 50);
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queues.webhookFanout?.arn,
      awsRegion: 'us-east-1',
      messageAttributes: {},
    });
    expect(record.md5OfBody).toBe(createHash('md5').update(record.body).digest('hex'));
    expect(record.receiptHandle).not.toBe('');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(JSON.parse(record.body)).toEqual({
      version: '0',
      id: eventId,
      'detail-type': 'message.status',
      source: 'wa-platform',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: 'us-east-1',
      resources: [],
      detail: { tenantId: 'ten_1', kind: 'ok' },
    });
  });

  it('carries text outside the basic plane (an emoji reaction) to the handler, as real SQS does', async () => {
    // fauxqs 1.9.2 refused such bodies (each half of a surrogate pair failed its check): every message.received
    // with an emoji was lost on the local stack. patches/fauxqs+1.9.2.patch matches code points instead.
    const result = await put('message.received', { tenantId: 'ten_1', kind: 'emoji', text: '👍 ok 🇧🇷 𝄞' });
    expect(result.FailedEntryCount).toBe(0);
    const record = await eventually('the emoji event handled', async () => findRecord('emoji'), 8_000, 50);
    expect((JSON.parse(record.body) as { detail: { text: string } }).detail.text).toBe('👍 ok 🇧🇷 𝄞');
    // A lone surrogate is not valid Unicode: still refused, as SQS refuses it.
    await expect(
      sqs.send(
        new SendMessageCommand({ QueueUrl: queues.webhookFanout?.url, MessageBody: 'half \uD83D pair' }),
      ),
    ).rejects.toMatchObject({ name: expect.stringMatching(/InvalidMessageContents/) });
  });

  it('routes only matching events to each rule target', async () => {
    await put('session.status', { tenantId: 'ten_1', kind: 'session' });
    await put('message.received', { tenantId: 'ten_1', kind: 'message' });
    await put('session.qr', { noTenant: true, kind: 'session-without-tenant' });
    await bus.drain();
    const bodies = (await receiveAll(sqs, queues.webhookDelivery?.url ?? '')).map(
      (b) => (JSON.parse(b) as { detail: { kind: string } }).detail.kind,
    );
    expect(bodies.sort()).toEqual(['session', 'session-without-tenant']);
    await eventually('the message event handled', async () => findRecord('message'), 8_000, 50);
    expect(findRecord('session-without-tenant')).toBeUndefined();
  });

  it('redrives a failed batch item to the DLQ after maxReceiveCount while its batch mates succeed', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'wa-platform',
            DetailType: 'x',
            Detail: '{"tenantId":"t","kind":"fail"}',
          },
          {
            EventBusName: busName,
            Source: 'wa-platform',
            DetailType: 'x',
            Detail: '{"tenantId":"t","kind":"good"}',
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(await deadLetterKinds()).toEqual(['fail']);
    // Seen on each of its maxReceiveCount (2) receives, then moved to the DLQ without a third invocation.
    expect(findRecord('fail', '1')).toBeDefined();
    expect(findRecord('fail', '2')).toBeDefined();
    expect(findRecord('fail', '3')).toBeUndefined();
    expect(findRecord('good', '2')).toBeUndefined();
  });

  it('fails the whole batch when the handler throws', async () => {
    await put('x', { tenantId: 't', kind: 'throw' });
    await eventually('the batch received again', async () => findRecord('throw', '2'), 8_000, 50);
    expect(await deadLetterKinds()).toEqual(['throw']);
  });

  it('reports per-entry errors in Entries with FailedEntryCount, like AWS', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'wa-platform',
            DetailType: 'x',
            Detail: '{"tenantId":"t","kind":"fine"}',
          },
          { EventBusName: busName, Source: 'wa-platform', DetailType: 'x', Detail: '[1,2]' },
          { EventBusName: busName, Source: 'wa-platform', DetailType: 'x', Detail: '{not json' },
          { EventBusName: busName, Source: 'wa-platform', Detail: '{}' },
          { EventBusName: 'no-such-bus', Source: 'wa-platform', DetailType: 'x', Detail: '{}' },
          { EventBusName: busName, Source: 'aws.s3', DetailType: 'x', Detail: '{}' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(5);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
      'NotAuthorizedForSourceException',
    ]);
    expect(result.Entries?.[0]?.EventId).toBeDefined();
  });

  it('rejects more than 10 entries or more than 256 KB with a ValidationException', async () => {
    const entry = { EventBusName: busName, Source: 'wa-platform', DetailType: 'x', Detail: '{}' };
    await expect(
      events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    const big = { ...entry, Detail: JSON.stringify({ pad: 'x'.repeat(256 * 1024) }) };
    await expect(events.send(new PutEventsCommand({ Entries: [big] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
