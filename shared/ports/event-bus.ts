/**
 * Publishes domain events (DESIGN.md section 3, "Events") to the event bus, where rules route them to the
 * webhook fan-out and to tenants' own subscriptions.
 */
import type { DomainEvent } from '../domain/events.js';

/** Some events could not be published after the retries; the rest were. `failures` names each one. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  constructor(
    readonly failures: readonly { readonly eventId: string; readonly type: string; readonly error: string }[],
  ) {
    super(
      `${failures.length} event(s) not published: ${failures.map((f) => `${f.eventId} (${f.error})`).join(', ')}`,
    );
  }
}

export interface EventBus {
  /** All or an `EventPublishError`; events that were accepted stay published (there is no rollback). */
  publish(events: readonly DomainEvent[]): Promise<void>;
}
