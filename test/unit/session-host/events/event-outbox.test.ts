/**
 * The outbox's decisions, over an in-memory store (the DynamoDB table has its own adapter test, and the whole
 * path its component tests): order across an outage, what happens when the store or the removal fails.
 */
import { describe, expect, it } from 'vitest';
import { makeEvent, type DomainEvent } from '../../../../shared/domain/events.js';
import { newId } from '../../../../shared/domain/ids.js';
import type { EventOutboxRepository } from '../../../../shared/ports/event-outbox-repository.js';
import { EventOutbox } from '../../../../session-host/events/event-outbox.js';
import { OutageBus } from '../../../support/outage-bus.js';

class MemoryOutboxStore implements EventOutboxRepository {
  readonly items = new Map<string, DomainEvent>();
  failAdds = false;
  failRemoves = false;
  async add(event: DomainEvent): Promise<void> {
    if (this.failAdds) throw new Error('DynamoDB unavailable');
    this.items.set(event.id, event);
  }
  /** The entry a transaction would write; `commit` stands for that transaction going in. */
  entryOf(event: DomainEvent): Readonly<Record<string, unknown>> {
    return { Put: { event } };
  }
  commit(entry: Readonly<Record<string, unknown>>): void {
    const { event } = entry['Put'] as { event: DomainEvent };
    this.items.set(event.id, event);
  }
  async remove(_sessionId: string, eventId: string): Promise<void> {
    if (this.failRemoves) throw new Error('DynamoDB unavailable');
    this.items.delete(eventId);
  }
  readonly removeBatches: number[] = [];
  async removeMany(keys: readonly { sessionId: string; eventId: string }[]): Promise<void> {
    if (this.failRemoves) throw new Error('DynamoDB unavailable');
    this.removeBatches.push(keys.length);
    for (const key of keys) this.items.delete(key.eventId);
  }
  async listPending(sessionId: string, request: { limit?: number; afterId?: string } = {}) {
    return [...this.items.values()]
      .filter((e) => e.sessionId === sessionId && (request.afterId === undefined || e.id > request.afterId))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, request.limit ?? 100);
  }
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const tenantId = newId();
const sessionId = newId();
const status = (s: 'qr' | 'pairing' | 'connected' | 'reconnecting'): DomainEvent =>
  makeEvent('session.status', { tenantId, sessionId, data: { status: s } });
const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('EventOutbox', () => {
  it('events published during an outage go out after the older ones, in publish order, each once', async () => {
    const store = new MemoryOutboxStore();
    const bus = new OutageBus();
    const outbox = new EventOutbox({ store, bus, log: quiet, retryMs: 20 });
    bus.down = true;
    const early = [status('qr'), status('pairing')];
    await outbox.publish(early);
    expect(store.items.size).toBe(2);
    bus.down = false;
    // The session is in backlog now: a later event waits for the round instead of overtaking.
    const late = status('connected');
    await outbox.publish([late]);
    expect(bus.published).toEqual([]);
    await until(() => bus.published.length === 3, 'the round');
    await outbox.settled(sessionId);
    expect(bus.published).toEqual([...early, late]);
    expect(store.items.size).toBe(0);
    // Out of backlog: the next one goes straight through.
    const next = status('reconnecting');
    await outbox.publish([next]);
    expect(bus.published.at(-1)).toEqual(next);
    outbox.close();
  });

  it('a store that fails does not stop a publish; store and bus both failing rejects (the one loss)', async () => {
    const store = new MemoryOutboxStore();
    const bus = new OutageBus();
    const outbox = new EventOutbox({ store, bus, log: quiet, retryMs: 20 });
    store.failAdds = true;
    const e = status('qr');
    await outbox.publish([e]);
    expect(bus.published).toEqual([e]);
    bus.down = true;
    await expect(outbox.publish([status('pairing')])).rejects.toThrow('DynamoDB unavailable');
    outbox.close();
  });

  it('a removal that fails publishes the event again later, under the same id', async () => {
    const store = new MemoryOutboxStore();
    const bus = new OutageBus();
    const outbox = new EventOutbox({ store, bus, log: quiet, retryMs: 20 });
    store.failRemoves = true;
    const e = status('connected');
    await outbox.publish([e]);
    expect(store.items.size).toBe(1);
    store.failRemoves = false;
    await until(() => store.items.size === 0, 'the retry round');
    await outbox.settled(sessionId);
    expect(bus.published).toEqual([e, e]);
    outbox.close();
  });
  it('removals of events published together share BatchWriteItems of at most 25, across sessions', async () => {
    const store = new MemoryOutboxStore();
    const bus = new OutageBus();
    const outbox = new EventOutbox({ store, bus, log: quiet, retryMs: 20, removeAfterMs: 50 });
    const events = Array.from({ length: 30 }, (_, i) =>
      makeEvent('session.status', {
        tenantId,
        sessionId: i % 2 === 0 ? sessionId : newId(),
        data: { status: 'connected' },
      }),
    );
    await outbox.publish(events);
    expect(store.items.size).toBe(0);
    expect(store.removeBatches).toEqual([25, 5]);
    expect(bus.published).toHaveLength(30);
    outbox.close();
  });

  it('an event a transaction stored is published in session order, removed, and kept for a round when the bus is down', async () => {
    const store = new MemoryOutboxStore();
    const bus = new OutageBus();
    const outbox = new EventOutbox({ store, bus, log: quiet, retryMs: 20 });
    const first = status('connected');
    const stored = status('reconnecting');
    store.commit(outbox.entryOf(stored));
    await Promise.all([outbox.publish([first]), outbox.publishStored([stored])]);
    expect(bus.published).toEqual([first, stored]);
    expect(store.items.size).toBe(0);

    bus.down = true;
    const later = status('connected');
    store.commit(outbox.entryOf(later));
    await outbox.publishStored([later]);
    expect(store.items.has(later.id)).toBe(true);
    bus.down = false;
    await until(() => store.items.size === 0, 'the retry round');
    await outbox.settled(sessionId);
    expect(bus.published).toEqual([first, stored, later]);
    outbox.close();
  });
});
