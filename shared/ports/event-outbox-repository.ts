/**
 * The session host's event outbox (docs/messaging.md, "Event outbox"): a domain event is stored here before it is
 * handed to the bus and removed once the bus took it, so an event the bus refused (an EventBridge outage, a host
 * killed mid-batch) is still here to be published again, with the same id, oldest first.
 */
import type { DomainEvent } from '../domain/events.js';

/** How long a pending event is kept for a session that never comes back (DynamoDB's TTL deletes it then). */
export const EVENT_OUTBOX_TTL_SECONDS = 14 * 24 * 3600;

export interface ListOutboxRequest {
  /** At most this many (1..100, default 100). */
  readonly limit?: number;
  /** Only events after this event id (the last one of the previous page). */
  readonly afterId?: string;
}

export interface OutboxKey {
  readonly sessionId: string;
  readonly eventId: string;
}

export interface EventOutboxRepository {
  /** Stores the event (idempotent: the same event again overwrites itself). */
  add(event: DomainEvent, now?: Date): Promise<void>;
  /**
   * `add`'s write as an entry of another write's transaction (`TransactionPart.with`): the event is stored if and
   * only if that write goes in (a send's `sending -> sent` and its `message.status`).
   */
  entryOf(event: DomainEvent, now?: Date): Readonly<Record<string, unknown>>;
  /** Removes it; an event already removed is not an error. */
  remove(sessionId: string, eventId: string): Promise<void>;
  /**
   * Removes up to 25 in one write (the host batches the removals of published events: issue #14); rejects unless
   * all are gone. Events already removed are not an error.
   */
  removeMany(keys: readonly OutboxKey[]): Promise<void>;
  /** The session's stored, unexpired events, oldest first (by event id), read strongly consistent. */
  listPending(sessionId: string, request?: ListOutboxRequest, now?: Date): Promise<DomainEvent[]>;
}
