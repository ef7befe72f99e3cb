import { describe, expect, it } from 'vitest';
import { makeEvent, type DomainEvent } from '../../../shared/domain/events.js';
import { newId } from '../../../shared/domain/ids.js';
import { EventPublishError, type EventBus } from '../../../shared/ports/event-bus.js';
import { BatchedEventBus } from '../../../session-host/events/batched-event-bus.js';

const event = (): DomainEvent =>
  makeEvent('session.status', { tenantId: newId(), sessionId: newId(), data: { status: 'connected' } });

class RecordingBus implements EventBus {
  readonly batches: DomainEvent[][] = [];
  fail = false;
  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.fail)
      throw new EventPublishError(events.map((e) => ({ eventId: e.id, type: e.type, error: 'x' })));
    this.batches.push([...events]);
  }
}

describe('BatchedEventBus', () => {
  it('sends full batches of 10 at once, in order, and the rest on flush', async () => {
    const target = new RecordingBus();
    const bus = new BatchedEventBus({ target, flushAfterMs: 60_000 });
    const events = Array.from({ length: 23 }, event);
    const published = events.map((e) => bus.publish([e]));
    await Promise.all(published.slice(0, 20));
    expect(target.batches.map((b) => b.length)).toEqual([10, 10]);
    await bus.flush();
    await Promise.all(published);
    expect(target.batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(target.batches.flat().map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('flushes a partial batch on its timer', async () => {
    const target = new RecordingBus();
    const bus = new BatchedEventBus({ target, flushAfterMs: 5 });
    await bus.publish([event(), event()]);
    expect(target.batches).toHaveLength(1);
    expect(target.batches[0]).toHaveLength(2);
  });

  it('rejects the publishers of a failed batch and reports it, without an unhandled rejection', async () => {
    const target = new RecordingBus();
    target.fail = true;
    const failures: number[] = [];
    const bus = new BatchedEventBus({
      target,
      flushAfterMs: 1,
      onError: (_e, events) => failures.push(events.length),
    });
    await expect(bus.publish([event()])).rejects.toBeInstanceOf(EventPublishError);
    void bus.publish([event()]); // fire and forget: must not crash the process
    await bus.flush();
    expect(failures).toEqual([1, 1]);
  });

  it('after close, publishes straight through', async () => {
    const target = new RecordingBus();
    const bus = new BatchedEventBus({ target, flushAfterMs: 60_000 });
    const pending = bus.publish([event()]);
    await bus.close();
    await pending;
    await bus.publish([event()]);
    expect(target.batches.map((b) => b.length)).toEqual([1, 1]);
  });
});
