/**
 * Host command queues on SQS. Standard queues (commands are idempotent doorbells, order does not matter: the host
 * reads the order from DynamoDB), a short retention (a doorbell nobody heard for minutes is stale; the host's
 * drain on claim covers it), no DLQ (a command that keeps failing is dropped by retention, the truth stays in
 * DynamoDB), SQS-managed encryption at rest (pairing commands carry phone numbers).
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { HostCommandSchema, type HostCommand } from '../../contracts/host-command.js';
import { hostQueueName } from '../../definitions/queues.js';
import {
  HostQueueNotFoundError,
  InvalidHostCommandError,
  InvalidHostIdError,
  type HostCommandQueue,
  type MalformedCommandReport,
  type ReceiveOptions,
  type ReceivedHostCommand,
} from '../../ports/host-command-queue.js';
import { SqsAckBatch } from './sqs-ack-batch.js';

/** SQS's minimum is 60 s; five minutes outlives a host's drain cycle by far while keeping stale bells short-lived. */
export const HOST_QUEUE_RETENTION_SECONDS = 300;
/** A command is handled in well under this; unacked ones come back after it (at-least-once). */
export const HOST_QUEUE_VISIBILITY_SECONDS = 30;
const MAX_QUEUE_NAME = 80;

export interface SqsHostCommandQueueOptions {
  readonly sqs: SQSClient;
  /** `APP_RESOURCE_PREFIX`: host queues are `${prefix}host-${hostId}`. */
  readonly prefix: string;
  /** Told about every malformed message dropped; defaults to one JSON line on stderr. */
  readonly onMalformed?: (report: MalformedCommandReport) => void;
}

export class SqsHostCommandQueue implements HostCommandQueue {
  private readonly onMalformed: (report: MalformedCommandReport) => void;

  constructor(private readonly options: SqsHostCommandQueueOptions) {
    this.onMalformed = options.onMalformed ?? logMalformed;
  }

  async create(hostId: string): Promise<string> {
    const out = await this.options.sqs.send(
      new CreateQueueCommand({
        QueueName: this.queueName(hostId),
        Attributes: {
          MessageRetentionPeriod: String(HOST_QUEUE_RETENTION_SECONDS),
          VisibilityTimeout: String(HOST_QUEUE_VISIBILITY_SECONDS),
          SqsManagedSseEnabled: 'true',
        },
        tags: { 'wa:role': 'host-commands', 'wa:host': hostId },
      }),
    );
    if (!out.QueueUrl) throw new Error(`SQS CreateQueue for host ${hostId} returned no URL`);
    return out.QueueUrl;
  }

  async urlOf(hostId: string): Promise<string | null> {
    try {
      const out = await this.options.sqs.send(new GetQueueUrlCommand({ QueueName: this.queueName(hostId) }));
      return out.QueueUrl ?? null;
    } catch (error) {
      if (isQueueMissing(error)) return null;
      throw error;
    }
  }

  async delete(queueUrl: string): Promise<void> {
    try {
      await this.options.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    } catch (error) {
      if (!isQueueMissing(error)) throw error;
    }
  }

  async send(queueUrl: string, command: HostCommand): Promise<void> {
    const parsed = HostCommandSchema.safeParse(command);
    if (!parsed.success) throw new InvalidHostCommandError(parsed.error.issues);
    try {
      await this.options.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(parsed.data) }),
      );
    } catch (error) {
      if (isQueueMissing(error)) throw new HostQueueNotFoundError(queueUrl, { cause: error });
      throw error;
    }
  }

  async receive(queueUrl: string, options: ReceiveOptions = {}): Promise<ReceivedHostCommand[]> {
    const max = clamp(options.max ?? 10, 1, 10);
    const waitSeconds = clamp(options.waitSeconds ?? 20, 0, 20);
    let messages: Message[];
    try {
      const out = await this.options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      messages = out.Messages ?? [];
    } catch (error) {
      // Shutdown ends the long poll; that is not a failure of the consumer.
      if (options.signal?.aborted) return [];
      if (isQueueMissing(error)) throw new HostQueueNotFoundError(queueUrl, { cause: error });
      throw error;
    }
    const received: ReceivedHostCommand[] = [];
    const drops: Promise<void>[] = [];
    const acks = new SqsAckBatch(this.options.sqs, queueUrl);
    for (const message of messages) {
      const decoded = decode(message.Body);
      if (decoded.ok && message.ReceiptHandle) {
        const receiptHandle = message.ReceiptHandle;
        received.push({
          command: decoded.command,
          messageId: message.MessageId ?? '',
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? '1'),
          ack: () => acks.ack(receiptHandle),
        });
      } else {
        drops.push(this.drop(queueUrl, message, decoded.ok ? 'no receipt handle' : decoded.reason));
      }
    }
    await Promise.all(drops);
    return received;
  }

  private async drop(queueUrl: string, message: Message, reason: string): Promise<void> {
    const messageId = message.MessageId ?? '';
    try {
      if (message.ReceiptHandle) await this.deleteMessage(queueUrl, message.ReceiptHandle);
      this.report({ queueUrl, messageId, reason });
    } catch (error) {
      // It will come back after the visibility timeout and be dropped then; retention bounds the repeats.
      this.report({ queueUrl, messageId, reason: `${reason}; delete failed: ${(error as Error).name}` });
    }
  }

  private report(report: MalformedCommandReport): void {
    try {
      this.onMalformed(report);
    } catch {
      // A faulty reporter must not take the consumer down with it.
    }
  }

  private async deleteMessage(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.options.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  private queueName(hostId: string): string {
    const name = hostQueueName(this.options.prefix, hostId);
    if (!/^[A-Za-z0-9_-]+$/.test(hostId) || name.length > MAX_QUEUE_NAME)
      throw new InvalidHostIdError(hostId);
    return name;
  }
}

type Decoded = { ok: true; command: HostCommand } | { ok: false; reason: string };

function decode(body: string | undefined): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const parsed = HostCommandSchema.safeParse(json);
  if (parsed.success) return { ok: true, command: parsed.data };
  // Paths and zod's messages only: the body may hold phone numbers, which stay out of logs.
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, reason: `not a host command: ${reason}` };
}

function isQueueMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: unknown }).Code;
  return (
    error.name === 'QueueDoesNotExist' ||
    error.name === 'AWS.SimpleQueueService.NonExistentQueue' ||
    code === 'AWS.SimpleQueueService.NonExistentQueue'
  );
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

function logMalformed(report: MalformedCommandReport): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', message: 'dropped malformed host command', ...report })}\n`,
  );
}
