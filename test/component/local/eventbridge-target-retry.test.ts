import { randomBytes } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEventBridge, type RunningEventBridge } from '../../../local/eventbridge.js';
import { startFauxqsServer, type RunningFauxqs } from '../../../local/fauxqs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import type { LocalLog } from '../../../local/log.js';
import { createQueues, type CreatedQueue } from '../../../local/queues.js';
import type { EventRuleDefinition } from '../../../shared/definitions/event-rules.js';
import { FaultProxy, seededRandom } from '../../support/fault-proxy.js';
import { until } from '../session-host/support.js';

/**
 * The local bus writes to its targets through a fault proxy in front of fauxqs, with the SQS client's own retries
 * off: what is tested is the bus's retry (AWS's: 24 h with backoff for retryable errors), not the SDK's.
 */
const RULES: EventRuleDefinition[] = [
  {
    ruleName: 'to-fanout',
    description: 'test',
    pattern: { source: ['wa-platform'], 'detail-type': ['to.fanout'] },
    targetQueue: 'webhookFanout',
  },
  {
    ruleName: 'to-missing-queue',
    description: 'test',
    pattern: { source: ['wa-platform'], 'detail-type': ['to.missing'] },
    targetQueue: 'webhookDelivery',
  },
];

describe('local EventBridge: retrying a failing target like AWS', () => {
  let fauxqs: RunningFauxqs;
  let proxy: FaultProxy;
  let direct: SQSClient;
  let faulty: SQSClient;
  let queues: Partial<Record<string, CreatedQueue>>;
  let bus: RunningEventBridge;
  let events: EventBridgeClient;
  const logged: { message: string; fields: Record<string, unknown> }[] = [];
  const log: LocalLog = (_level, message, fields = {}) => void logged.push({ message, fields });
  const busName = `t${randomBytes(3).toString('hex')}-events`;

  beforeAll(async () => {
    fauxqs = await startFauxqsServer();
    proxy = new FaultProxy(fauxqs.endpoint, () => 'sqs', seededRandom(7));
    const clientOf = (endpoint: string) =>
      new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    direct = clientOf(fauxqs.endpoint);
    faulty = clientOf(await proxy.start());
    queues = await createQueues(direct, `${busName}-`, [
      { logicalName: 'webhookFanout', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
    ]);
    const fanoutUrl = queues.webhookFanout?.url ?? '';
    bus = await startLocalEventBridge({
      sqs: faulty,
      busName,
      rules: RULES,
      // The delivery queue was never created: its URL names a queue that does not exist.
      queueUrl: (q) => (q === 'webhookFanout' ? fanoutUrl : fanoutUrl.replace(/[^/]+$/, `${busName}-gone`)),
      log,
      targetRetry: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 185, maxEventAgeMs: 60_000 },
    });
    events = new EventBridgeClient({
      endpoint: bus.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    await bus?.stop();
    events?.destroy();
    faulty?.destroy();
    direct?.destroy();
    await proxy?.stop();
    await fauxqs?.stop();
  });

  const put = (detailType: string, marker: string) =>
    events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'wa-platform',
            DetailType: detailType,
            Detail: JSON.stringify({ marker }),
          },
        ],
      }),
    );

  it('keeps an event whose target answers 5xx and writes it once the target answers again', async () => {
    proxy.setRates('sqs', { before: 1, after: 0 });
    const accepted = await put('to.fanout', 'outage');
    expect(accepted.FailedEntryCount).toBe(0);
    // Several refused writes: before the retry the first one dropped the event.
    await until(
      () => proxy.counts.sqs.before,
      (n) => n >= 4,
      'the target refused four writes',
      10_000,
    );
    proxy.calm();
    await bus.drain();
    const { Messages = [] } = await direct.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.webhookFanout?.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages.map((m) => (JSON.parse(m.Body ?? '{}') as { detail: unknown }).detail)).toEqual([
      { marker: 'outage' },
    ]);
    expect(logged.find((l) => l.message === 'event delivered to target after retries')?.fields).toMatchObject(
      {
        rule: 'to-fanout',
      },
    );
  });

  it('drops at once an event whose target does not exist (a 4xx), as AWS does without a dead-letter queue', async () => {
    const forwarded = proxy.counts.sqs.forwarded;
    await put('to.missing', 'missing');
    await bus.drain();
    expect(proxy.counts.sqs.forwarded).toBe(forwarded + 1);
    expect(logged.find((l) => l.message === 'could not deliver event to target')?.fields).toMatchObject({
      rule: 'to-missing-queue',
      attempts: 1,
      reason: 'target refused the event',
    });
  });
});
