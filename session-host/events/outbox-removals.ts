/**
 * Removals of published events from the event outbox, gathered into `BatchWriteItem`s of up to 25 (issue #14: a
 * `DeleteItem` per event was one of the five DynamoDB calls of every send). The batching bus hands events over in
 * batches already, so their removals come due together; they wait at most `flushAfterMs` for company.
 *
 * Semantics are those of one removal at a time: `remove` resolves once the item is gone and rejects when the batch
 * could not be written, and the outbox then keeps the event for a round (published again, same id: at least once).
 */
import type { EventOutboxRepository, OutboxKey } from '../../shared/ports/event-outbox-repository.js';

/** DynamoDB's `BatchWriteItem` limit. */
export const MAX_REMOVALS_PER_BATCH = 25;

interface Waiting {
  readonly key: OutboxKey;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class OutboxRemovals {
  readonly #waiting: Waiting[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<EventOutboxRepository, 'removeMany'>,
    private readonly flushAfterMs: number,
  ) {}

  remove(sessionId: string, eventId: string): Promise<void> {
    const done = new Promise<void>((resolve, reject) =>
      this.#waiting.push({ key: { sessionId, eventId }, resolve, reject }),
    );
    if (this.#waiting.length >= MAX_REMOVALS_PER_BATCH) this.#drain();
    else this.#timer ??= setTimeout(() => this.#drain(), this.flushAfterMs);
    return done;
  }

  /** Writes what waits now (shutdown); later removals batch again. */
  flush(): void {
    this.#drain();
  }

  #drain(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#waiting.length > 0) void this.#write(this.#waiting.splice(0, MAX_REMOVALS_PER_BATCH));
  }

  async #write(batch: readonly Waiting[]): Promise<void> {
    try {
      await this.store.removeMany(batch.map((w) => w.key));
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
