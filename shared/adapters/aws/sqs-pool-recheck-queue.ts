/**
 * `PoolRecheckQueue` on SQS: a message to the `poolFailover` queue with `DelaySeconds` (SQS's own timer, so no
 * scheduler is needed). The queue URL is looked up by name once, as for the delivery queue.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QueueUrl } from './queue-url.js';
import {
  MAX_RECHECK_DELAY_SECONDS,
  PoolRecheckJobSchema,
  type PoolRecheckJob,
} from '../../contracts/pool-failover-job.js';
import type { PoolRecheckQueue } from '../../ports/pool-recheck-queue.js';

export class SqsPoolRecheckQueue implements PoolRecheckQueue {
  readonly #queue: QueueUrl;

  constructor(
    private readonly sqs: SQSClient,
    prefix: string,
  ) {
    this.#queue = new QueueUrl(sqs, prefix, 'poolFailover');
  }

  private queueUrl(): Promise<string> {
    return this.#queue.get();
  }

  async schedule(job: PoolRecheckJob, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: await this.queueUrl(),
        MessageBody: JSON.stringify(PoolRecheckJobSchema.parse(job)),
        DelaySeconds: Math.max(0, Math.min(MAX_RECHECK_DELAY_SECONDS, Math.ceil(delaySeconds))),
      }),
    );
  }
}
