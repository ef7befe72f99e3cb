import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFauxqsServer, type RunningFauxqs } from '../../../local/fauxqs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { createQueues, type CreatedQueue } from '../../../local/queues.js';
import { isRetryableTargetError } from '../../../local/eventbridge-target-retry.js';
import { createSqsBatchWriter } from '../../../local/sqs-batch-writer.js';

describe('SQS batch writer (the local bus to its targets)', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let queue: CreatedQueue;
  const commands: string[] = [];

  beforeAll(async () => {
    fauxqs = await startFauxqsServer();
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const created = await createQueues(sqs, 'batch-writer-', [
      { logicalName: 'webhookFanout', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
    ]);
    if (!created.webhookFanout) throw new Error('queue missing');
    queue = created.webhookFanout;
  });
  afterAll(async () => {
    sqs?.destroy();
    await fauxqs?.stop();
  });

  async function drain(queueUrl: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((m) => m.Body ?? ''));
    }
  }

  it('writes the messages of one turn in SendMessageBatch calls of 10, each message once', async () => {
    const writer = createSqsBatchWriter(sqs);
    commands.length = 0;
    const bodies = Array.from({ length: 12 }, (_, i) => `event-${i}`);
    await Promise.all(bodies.map((body) => writer.send(queue.url, body)));
    expect(commands).toEqual(['SendMessageBatchCommand', 'SendMessageBatchCommand']);
    expect((await drain(queue.url)).sort()).toEqual([...bodies].sort());
  });

  it('fails only the entry SQS refuses, with a standing (4xx) error; its batch mates are written', async () => {
    const writer = createSqsBatchWriter(sqs);
    // SQS refuses characters outside XML's range in a body (InvalidMessageContents), per entry.
    const results = await Promise.allSettled([
      writer.send(queue.url, 'fine-1'),
      writer.send(queue.url, 'bad \u0000 body'),
      writer.send(queue.url, 'fine-2'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = results[1]?.status === 'rejected' ? results[1].reason : undefined;
    expect(isRetryableTargetError(refused)).toBe(false);
    expect((await drain(queue.url)).sort()).toEqual(['fine-1', 'fine-2']);
  });

  it('rejects every message of a call that fails as a whole, with the SDK error', async () => {
    const writer = createSqsBatchWriter(sqs);
    const missing = `${queue.url}-does-not-exist`;
    const results = await Promise.allSettled([writer.send(missing, 'a'), writer.send(missing, 'b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const error = results[0]?.status === 'rejected' ? results[0].reason : undefined;
    expect(isRetryableTargetError(error)).toBe(false);
  });
});
