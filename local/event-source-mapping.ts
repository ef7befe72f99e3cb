/**
 * A local SQS -> Lambda event source mapping. Like Lambda's pollers it long-polls the queue, invokes the
 * function with a real `SQSEvent`, deletes what succeeded and leaves failures alone: they reappear after the
 * visibility timeout and fauxqs's RedrivePolicy moves them to the DLQ after `maxReceiveCount` receives.
 * Several pollers run side by side, each with its own batch in hand, as Lambda runs several batches at once:
 * a slow batch holds back its own poller only, not the whole queue.
 * Partial batch responses follow Lambda's documented rules: an empty or null response is a full success; an
 * invalid one, or one naming a message not in the batch, fails the whole batch; a thrown handler fails it too.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { z } from 'zod';
import { invokeLambda, type LambdaFunction } from './lambda-runtime.js';
import { LOCAL_REGION } from './local-aws.js';
import { consoleLog, type LocalLog } from './log.js';

export interface EventSourceMappingOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly fn: LambdaFunction;
  /** Lambda allows up to 10 000 with a batching window; one SQS receive returns at most 10, so do we. */
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  /**
   * Pollers, each receiving and invoking one batch at a time: the batches in flight at once. Default
   * `DEFAULT_CONCURRENT_BATCHES` (what Lambda starts with).
   */
  readonly concurrency?: number;
  readonly region?: string;
  /**
   * Long-poll wait. Lambda's pollers wait 20 s; locally the default is 1 s because stop() lets the poll in
   * flight finish rather than abort it: an aborted long poll still dequeues the next message on the server
   * and hides it for a whole visibility timeout. A message arriving mid-wait is returned at once either way.
   */
  readonly waitTimeSeconds?: number;
  readonly log?: LocalLog;
}

export interface RunningEventSourceMapping {
  /** Stops polling; waits for every poller's poll in flight (at most `waitTimeSeconds`) and batch in hand. */
  stop(): Promise<void>;
}

const BatchResponseSchema = z
  .object({
    batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) }).strict()).nullish(),
  })
  .nullish();

/** Receive errors (queue deleted, emulator restarting) are retried after this pause instead of spinning. */
const ERROR_BACKOFF_MS = 1_000;

/**
 * "When messages are available, Lambda starts processing five batches at a time with five concurrent
 * invocations of your function" (Lambda's SQS scaling). It then scales up while messages remain, up to the
 * mapping's maximum concurrency when one is set; locally the pollers stay at this starting figure, or at the
 * consumer's `maxConcurrency` when set (what AWS reaches under sustained load).
 */
export const DEFAULT_CONCURRENT_BATCHES = 5;

export function startEventSourceMapping(options: EventSourceMappingOptions): RunningEventSourceMapping {
  const log = options.log ?? consoleLog;
  const region = options.region ?? LOCAL_REGION;
  let stopping = false;
  const maxMessages = Math.max(1, Math.min(options.batchSize, 10));
  const pollers = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENT_BATCHES));

  async function pollOnce(): Promise<void> {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, options.queueArn, region)) };
    const failed = await invoke(event);
    const done = event.Records.filter((r) => !failed.has(r.messageId));
    if (done.length === 0) return;
    const result = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
    if (result.Failed && result.Failed.length > 0) {
      log('warn', 'some processed messages could not be deleted', {
        queueArn: options.queueArn,
        failed: result.Failed,
      });
    }
  }

  /** Returns the ids of the messages to leave on the queue. */
  async function invoke(event: SQSEvent): Promise<Set<string>> {
    const all = new Set(event.Records.map((r) => r.messageId));
    let response: unknown;
    try {
      response = await invokeLambda(options.fn, event, region);
    } catch (error) {
      log('error', 'SQS-triggered function failed; the whole batch will be retried', {
        function: options.fn.functionName,
        error,
      });
      return all;
    }
    if (!options.reportBatchItemFailures) return new Set();
    const parsed = BatchResponseSchema.safeParse(response);
    if (!parsed.success) {
      log('error', 'invalid partial batch response; the whole batch will be retried', {
        function: options.fn.functionName,
      });
      return all;
    }
    const ids = (parsed.data?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    if (ids.some((id) => !all.has(id))) {
      log('error', 'batchItemFailures names a message not in the batch; the whole batch will be retried', {
        ids,
      });
      return all;
    }
    return new Set(ids);
  }

  const poll = async (): Promise<void> => {
    while (!stopping) {
      try {
        await pollOnce();
      } catch (error) {
        if (stopping) break;
        log('error', 'event source mapping could not poll', { queueArn: options.queueArn, error });
        await new Promise((r) => setTimeout(r, ERROR_BACKOFF_MS));
      }
    }
  };
  const loops = Array.from({ length: pollers }, poll);

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const a = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    SenderId: a.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
    ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
  };
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes: toRecordAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** The Lambda event spells message attributes in camelCase with binary values base64-encoded. */
function toRecordAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  const b64 = (value: Uint8Array) => Buffer.from(value).toString('base64');
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: b64(value.BinaryValue) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(b64),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}
