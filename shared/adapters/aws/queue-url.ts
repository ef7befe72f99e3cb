/**
 * A deployment queue's URL, looked up by name once (`GetQueueUrl`) and kept, so adapters only need
 * `APP_RESOURCE_PREFIX`, as for tables. A failed lookup is not kept: the next call asks again.
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { physicalQueueName, type QueueName } from '../../definitions/queues.js';

export class QueueUrl {
  #url: Promise<string> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly prefix: string,
    private readonly queue: QueueName,
  ) {}

  get(): Promise<string> {
    this.#url ??= this.sqs
      .send(new GetQueueUrlCommand({ QueueName: physicalQueueName(this.prefix, this.queue) }))
      .then((out) => {
        if (!out.QueueUrl) throw new Error(`queue ${this.queue} has no URL`);
        return out.QueueUrl;
      })
      .catch((error: unknown) => {
        this.#url = undefined;
        throw error;
      });
    return this.#url;
  }
}
