/**
 * `PoolRecheckQueue` on SQS: a message to the `poolFailover` queue with `DelaySeconds` (SQS's own timer, so no
 * scheduler is needed). The queue URL is looked up by name once, as for the delivery queue.
 */
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  MAX_RECHECK_DELAY_SECONDS,
  PoolRecheckJobSchema,
  type PoolRecheckJob,
} from '../../contracts/pool-failover-job.js';
import { physicalQueueName } from '../../definitions/queues.js';
import type { PoolRecheckQueue } from '../../ports/pool-recheck-queue.js';

export class SqsPoolRecheckQueue implements PoolRecheckQueue {
  private url: Promise<string> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly prefix: string,
  ) {}

  private queueUrl(): Promise<string> {
    this.url ??= this.sqs
      .send(new GetQueueUrlCommand({ QueueName: physicalQueueName(this.prefix, 'poolFailover') }))
      .then((out) => {
        if (!out.QueueUrl) throw new Error('pool failover queue has no URL');
        return out.QueueUrl;
      })
      .catch((error: unknown) => {
        this.url = undefined;
        throw error;
      });
    return this.url;
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
