/**
 * The acks (deletes) of one poll's messages, gathered into `DeleteMessageBatch`es of up to 10 (issue #14: one
 * `DeleteMessage` per send doorbell was one more AWS call, and its SDK cost, on every send). Acks that come due in
 * the same turn of the event loop go together (the consumer handles a poll's commands side by side, so their acks
 * do); each still resolves or rejects on its own entry's outcome, as a single delete would.
 */
import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's `DeleteMessageBatch` limit. */
export const MAX_ACKS_PER_BATCH = 10;

interface Waiting {
  readonly receiptHandle: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class SqsAckBatch {
  readonly #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  ack(receiptHandle: string): Promise<void> {
    const done = new Promise<void>((resolve, reject) =>
      this.#waiting.push({ receiptHandle, resolve, reject }),
    );
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
    return done;
  }

  #drain(): void {
    this.#scheduled = false;
    while (this.#waiting.length > 0) void this.#delete(this.#waiting.splice(0, MAX_ACKS_PER_BATCH));
  }

  async #delete(batch: readonly Waiting[]): Promise<void> {
    try {
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((w, i) => ({ Id: String(i), ReceiptHandle: w.receiptHandle })),
        }),
      );
      const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
      batch.forEach((w, i) => {
        const failure = failed.get(String(i));
        if (failure)
          w.reject(new Error(`message not deleted: ${failure.Code ?? 'unknown'} ${failure.Message ?? ''}`));
        else w.resolve();
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
