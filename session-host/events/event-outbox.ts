/**
 * The host's event outbox (docs/messaging.md, "Event outbox"): an `EventBus` that stores every event before
 * handing it to the real (batching) bus and removes it once the bus took it. `session.status` (StatusReporter)
 * and `message.status` (messaging) publish through it, and so can any future host event: a publisher just calls
 * `publish`. An EventBridge outage then delays events but loses none:
 *
 * - A failed hand-over leaves the item and puts the session "in backlog": one retry round `retryMs` later (plus up
 *   to half of it as jitter), and again after each failed round, republishes what is stored, oldest first (the
 *   sort key is the event id, a ULID). While a session is in backlog its new events are only stored, so they go
 *   out after the older ones, in order.
 * - Attaching a session (`resume`) runs a round at once: what a crashed or stopped host left is published.
 * - Removals of published events go out in batches (`OutboxRemovals`: one `BatchWriteItem` of up to 25); a
 *   removal that fails leaves its event stored for a round, as a single failed delete would.
 * - A republished event is the stored event, same id and `createdAt`: the webhook fan-out keeps one delivery per
 *   id and subscribers dedupe on `id`. Delivery stays at least once (a removal that failed, two hosts in a round).
 *
 * `publish` resolves once each event is on the bus or safely stored for a retry, and rejects only when an event
 * is neither (the store and the bus both refused it): that is the one case that still loses an event.
 */
import type { DomainEvent } from '../../shared/domain/events.js';
import type { EventBus } from '../../shared/ports/event-bus.js';
import type { EventOutboxRepository } from '../../shared/ports/event-outbox-repository.js';
import type { HostLogger } from '../logger.js';
import { OutboxRemovals } from './outbox-removals.js';

/** Stored events read and republished per step of a round. */
export const OUTBOX_ROUND_BATCH = 100;
/** The default wait of a removal for others to batch with (the bus hands events over in batches anyway). */
const REMOVE_AFTER_MS = 100;

export interface EventOutboxDeps {
  readonly store: EventOutboxRepository;
  /** The host's batching bus: `publish` resolves once the events' `PutEvents` succeeded. */
  readonly bus: EventBus;
  readonly log: Pick<HostLogger, 'info' | 'warn' | 'error'>;
  /** Period of the retry rounds after a failure (`APP_OUTBOX_RETRY_MS`). */
  readonly retryMs: number;
  /** How long a published event's removal waits for others to share its `BatchWriteItem` (default 100 ms). */
  readonly removeAfterMs?: number;
}

/**
 * An outbox whose write can join another write's transaction: a send stores its `message.status` in the same
 * transaction as its `sending -> sent`, so a host killed right after that transaction leaves the event stored
 * for the session's next owner, never a `sent` message with no event anywhere.
 */
export interface TransactionalOutbox extends EventBus {
  /** The event's outbox write, for `TransactionPart.with`. */
  entryOf(event: DomainEvent): Readonly<Record<string, unknown>>;
  /** Publishes events a transaction already stored (in order with the session's others), then removes them. */
  publishStored(events: readonly DomainEvent[]): Promise<void>;
}

export function isTransactionalOutbox(bus: EventBus | undefined): bus is TransactionalOutbox {
  return bus !== undefined && 'entryOf' in bus && 'publishStored' in bus;
}

export class EventOutbox implements TransactionalOutbox {
  /** Per session: the tail of its store-then-hand-over steps, so events reach the bus in publish order. */
  readonly #chains = new Map<string, Promise<void>>();
  /** Sessions with stored events a round must publish; the number moves each time one more is stored. */
  readonly #backlog = new Map<string, number>();
  readonly #rounds = new Map<string, Promise<void>>();
  /** Sessions whose running round must run once more when it ends (a `resume` or retry came meanwhile). */
  readonly #rerun = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #removals: OutboxRemovals;
  #closed = false;

  constructor(private readonly deps: EventOutboxDeps) {
    this.#removals = new OutboxRemovals(deps.store, deps.removeAfterMs ?? REMOVE_AFTER_MS);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    await Promise.all(events.map((event) => this.#publishOne(event, false)));
  }

  entryOf(event: DomainEvent): Readonly<Record<string, unknown>> {
    return this.deps.store.entryOf(event);
  }

  async publishStored(events: readonly DomainEvent[]): Promise<void> {
    await Promise.all(events.map((event) => this.#publishOne(event, true)));
  }

  /** A session attached here: publish what is stored for it now (a crashed host's leftovers first). */
  resume(sessionId: string): Promise<void> {
    this.#backlog.set(sessionId, this.#backlog.get(sessionId) ?? 0);
    return this.#startRound(sessionId);
  }

  /** Resolves when the session's running round (if any) is over (tests). */
  async settled(sessionId: string): Promise<void> {
    await this.#chains.get(sessionId);
    await this.#rounds.get(sessionId);
  }

  /** Shutdown: no more retry rounds; stored events wait for the session's next attach (here or elsewhere). */
  close(): void {
    this.#closed = true;
    // Removals waiting for company go out now; one that fails leaves its event for the next attach (at least once).
    this.#removals.flush();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Stores the event (unless a transaction already did: `stored`), then hands it over in session order. */
  #publishOne(event: DomainEvent, stored: boolean): Promise<void> {
    const { sessionId } = event;
    let onBus: Promise<boolean> | undefined;
    let storeError: unknown;
    const step = (this.#chains.get(sessionId) ?? Promise.resolve()).then(async () => {
      try {
        if (!stored) await this.deps.store.add(event);
      } catch (error) {
        storeError = error;
      }
      const backlog = this.#backlog.get(sessionId);
      if (storeError === undefined && backlog !== undefined) {
        // A round is due: it publishes this one after the older ones (it reads on while this number moves).
        this.#backlog.set(sessionId, backlog + 1);
        return;
      }
      onBus = this.#handOver(event, storeError === undefined);
    });
    const tail = step.then(() => undefined);
    this.#chains.set(sessionId, tail);
    void tail.then(() => {
      if (this.#chains.get(sessionId) === tail) this.#chains.delete(sessionId);
    });
    return step.then(async () => {
      if (onBus === undefined || (await onBus)) return;
      if (storeError === undefined) {
        this.#enterBacklog(sessionId);
        return;
      }
      this.deps.log.error('event lost: neither stored nor published', {
        sessionId,
        eventId: event.id,
        type: event.type,
        error: errorText(storeError),
      });
      throw storeError;
    });
  }

  /**
   * Hands the event to the bus (synchronously, so calls keep their order in its batches); once it is on the bus
   * removes the stored copy. Resolves `true` when the bus took it, `false` when it did not. Never rejects.
   */
  #handOver(event: DomainEvent, stored: boolean): Promise<boolean> {
    const fields = { sessionId: event.sessionId, eventId: event.id, type: event.type };
    return this.deps.bus.publish([event]).then(
      async () => {
        if (!stored) return true;
        try {
          await this.#removals.remove(event.sessionId, event.id);
        } catch (error) {
          // Still stored: the next round publishes it once more, with the same id.
          this.deps.log.warn('event published, outbox item not removed', {
            ...fields,
            error: errorText(error),
          });
          this.#enterBacklog(event.sessionId);
        }
        return true;
      },
      (error: unknown) => {
        this.deps.log.warn('event not published; kept in the outbox', { ...fields, error: errorText(error) });
        return false;
      },
    );
  }

  #enterBacklog(sessionId: string): void {
    if (!this.#backlog.has(sessionId)) this.#backlog.set(sessionId, 0);
    this.#armRetry(sessionId);
  }

  #armRetry(sessionId: string): void {
    if (this.#closed || this.#timers.has(sessionId)) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(sessionId);
        void this.#startRound(sessionId);
      },
      this.deps.retryMs * (1 + Math.random() / 2),
    );
    timer.unref();
    this.#timers.set(sessionId, timer);
  }

  #startRound(sessionId: string): Promise<void> {
    const running = this.#rounds.get(sessionId);
    if (running) {
      this.#rerun.add(sessionId);
      return running;
    }
    const round = this.#round(sessionId).finally(() => {
      this.#rounds.delete(sessionId);
      if (this.#rerun.delete(sessionId)) void this.#startRound(sessionId);
    });
    this.#rounds.set(sessionId, round);
    return round;
  }

  /**
   * Publishes the session's stored events, oldest first, a batch per step (each handed over and removed before
   * the next is read), until nothing is left; then the session leaves the backlog. A failure arms the next round.
   */
  async #round(sessionId: string): Promise<void> {
    let afterId: string | undefined;
    let count = 0;
    try {
      for (;;) {
        if (this.#closed) return;
        const seen = this.#backlog.get(sessionId) ?? 0;
        const page = await this.deps.store.listPending(sessionId, {
          limit: OUTBOX_ROUND_BATCH,
          ...(afterId !== undefined ? { afterId } : {}),
        });
        const handed = page.map((event) => this.#handOver(event, true));
        if (!(await Promise.all(handed)).every(Boolean)) {
          this.#armRetry(sessionId);
          return;
        }
        count += page.length;
        if (page.length === OUTBOX_ROUND_BATCH) {
          afterId = page[page.length - 1]!.id;
          continue;
        }
        // Stored while we read: read again from the start (whatever was published is removed by now).
        if ((this.#backlog.get(sessionId) ?? 0) !== seen) {
          afterId = undefined;
          continue;
        }
        this.#backlog.delete(sessionId);
        if (count > 0) this.deps.log.info('pending events republished', { sessionId, count });
        return;
      }
    } catch (error) {
      this.deps.log.error('pending events not read', { sessionId, error: errorText(error) });
      this.#armRetry(sessionId);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
