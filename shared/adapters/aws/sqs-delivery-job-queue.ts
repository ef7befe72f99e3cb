/**
 * `DeliveryJobQueue` on SQS. The queue URL is looked up by name once (`GetQueueUrl`), so handlers only need
 * `APP_RESOURCE_PREFIX`, as for tables. Sends go in batches of 10 (SQS's limit); entries that fail are retried
 * once, then the call throws so the caller's own retry (the SQS batch of the fan-out) covers them.
 */
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { QueueUrl } from './queue-url.js';
import { DeliveryJobSchema, type DeliveryJob } from '../../contracts/webhook-delivery-job.js';
import { MAX_VISIBILITY_SECONDS, type DeliveryJobQueue } from '../../ports/delivery-job-queue.js';

export class SqsDeliveryJobQueue implements DeliveryJobQueue {
  readonly #queue: QueueUrl;

  constructor(
    private readonly sqs: SQSClient,
    prefix: string,
  ) {
    this.#queue = new QueueUrl(sqs, prefix, 'webhookDelivery');
  }

  private queueUrl(): Promise<string> {
    return this.#queue.get();
  }

  async send(jobs: readonly DeliveryJob[]): Promise<void> {
    const QueueUrl = await this.queueUrl();
    const chunks: DeliveryJob[][] = [];
    for (let i = 0; i < jobs.length; i += 10) chunks.push(jobs.slice(i, i + 10));
    // The batches of 10 go out side by side: a fan-out of many deliveries costs one round trip, not one per 10.
    await Promise.all(chunks.map((chunk) => this.sendBatch(QueueUrl, chunk)));
  }

  private async sendBatch(QueueUrl: string, jobs: readonly DeliveryJob[]): Promise<void> {
    let entries: SendMessageBatchRequestEntry[] = jobs.map((job, n) => ({
      Id: String(n),
      MessageBody: JSON.stringify(DeliveryJobSchema.parse(job)),
    }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((e) => failed.has(e.Id));
      if (entries.length > 0 && attempt >= 1) {
        throw new Error(`could not enqueue ${entries.length} webhook delivery job(s)`);
      }
    }
  }

  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await this.queueUrl(),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.round(seconds))),
      }),
    );
  }
}
