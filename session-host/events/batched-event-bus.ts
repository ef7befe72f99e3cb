/**
 * An EventBus that gathers events from every session of the host and hands them to the real bus in batches of up
 * to 10 (one PutEvents), on a short timer or as soon as a batch is full, and once more on shutdown. `publish`
 * resolves when the events it was given are on the bus (or rejects with the bus's error), so callers that must
 * know (a message marked `sent` after its event) can await it, and fire-and-forget callers simply do not.
 */
import type { DomainEvent } from '../../shared/domain/events.js';
import type { EventBus } from '../../shared/ports/event-bus.js';

export const MAX_EVENTS_PER_BATCH = 10;

export interface BatchedEventBusOptions {
  readonly target: EventBus;
  /** How long the first event of a batch may wait for company. */
  readonly flushAfterMs?: number;
  readonly onError?: (error: unknown, events: readonly DomainEvent[]) => void;
  readonly onPublished?: (count: number) => void;
}

interface Waiting {
  readonly event: DomainEvent;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class BatchedEventBus implements EventBus {
  readonly #waiting: Waiting[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Batches go out one after another, so events keep the order they were published in. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(private readonly options: BatchedEventBusOptions) {}

  publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.#closed) return this.options.target.publish(events);
    const done = events.map(
      (event) => new Promise<void>((resolve, reject) => this.#waiting.push({ event, resolve, reject })),
    );
    if (this.#waiting.length >= MAX_EVENTS_PER_BATCH) this.#drain();
    else this.#timer ??= setTimeout(() => this.#drain(), this.options.flushAfterMs ?? 100);
    const all = Promise.all(done).then(() => undefined);
    // Fire-and-forget callers must not crash the process with an unhandled rejection; onError reports it.
    all.catch(() => undefined);
    return all;
  }

  /** Sends everything waiting now and resolves once it is out (shutdown, or before a durable step). */
  async flush(): Promise<void> {
    this.#drain();
    await this.#chain;
  }

  /** Flushes and sends later events straight through. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #drain(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_EVENTS_PER_BATCH);
      this.#chain = this.#chain.then(() => this.#send(batch));
    }
  }

  async #send(batch: readonly Waiting[]): Promise<void> {
    const events = batch.map((w) => w.event);
    try {
      await this.options.target.publish(events);
      this.options.onPublished?.(events.length);
      for (const w of batch) w.resolve();
    } catch (error) {
      this.options.onError?.(error, events);
      for (const w of batch) w.reject(error);
    }
  }
}
