/**
 * An EventBridge outage on demand: a bus in front of the real one (or of nothing) that refuses every `PutEvents`
 * while `down`, as EventBridge does after the SDK's retries (`EventPublishError` naming each event), and records
 * what it let through, in order.
 */
import type { DomainEvent } from '../../shared/domain/events.js';
import { EventPublishError, type EventBus } from '../../shared/ports/event-bus.js';

export class OutageBus implements EventBus {
  down = false;
  /** Events refused while down (each attempt counts). */
  refused = 0;
  readonly published: DomainEvent[] = [];

  constructor(private readonly inner?: EventBus) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.down) {
      this.refused += events.length;
      throw new EventPublishError(
        events.map((e) => ({ eventId: e.id, type: e.type, error: 'ServiceUnavailable' })),
      );
    }
    await this.inner?.publish(events);
    this.published.push(...events);
  }
}
