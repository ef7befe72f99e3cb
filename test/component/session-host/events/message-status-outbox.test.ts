/**
 * An EventBridge outage while our messages are sent, delivered and read loses no `message.status`: the events
 * wait in the event outbox (DynamoDB Local) and, once the bus is back, each arrives exactly once, under the id it
 * was stored with, in order per message. Real Baileys on the simulator, the host's batching bus, the real table;
 * only EventBridge itself is the stand-in that goes down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventOutboxRepository } from '../../../../shared/adapters/dynamodb/event-outbox-repository.js';
import type { DomainEventOf } from '../../../../shared/domain/events.js';
import type { Message } from '../../../../shared/domain/message.js';
import { BatchedEventBus } from '../../../../session-host/events/batched-event-bus.js';
import { EventOutbox } from '../../../../session-host/events/event-outbox.js';
import { waMessageIdFor } from '../../../../session-host/messaging/index.js';
import {
  attachOnAnotherHost,
  queueMessage,
  startMessagingWorld,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from '../messaging/support.js';
import { OutageBus } from '../../../support/outage-bus.js';

const ME = '15554480001';
const DORA = '+15554480002';
const RETRY_MS = 150;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('message.status through the event outbox', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;
  let store: DynamoEventOutboxRepository;

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(DORA, 'Dora');
    me = await world.link(ME);
    // This test's host publishes through an outbox; the world's own attachment steps aside.
    me.session.detach();
    store = new DynamoEventOutboxRepository({ dynamo: world.aws.clients.dynamo, config: world.aws.config });
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  const statusEvents = (bus: OutageBus, ids: readonly string[]) =>
    bus.published.filter(
      (e): e is DomainEventOf<'message.status'> =>
        e.type === 'message.status' && ids.includes(e.data.messageId),
    );

  const statusOf = (id: string, status: Message['status']) =>
    until(async () => {
      const m = await world.repos.messages.get(me.sessionId, id);
      return m?.status === status ? m : undefined;
    }, `${id} ${status}`);

  it('an outage during sends and receipts delays every status event; after it each arrives once, in order', async () => {
    const outage = new OutageBus();
    const bus = new BatchedEventBus({ target: outage, flushAfterMs: 10 });
    const outbox = new EventOutbox({ store, bus, log: quiet, retryMs: RETRY_MS });
    const host = attachOnAnotherHost(world, me, { events: bus, outbox });

    outage.down = true;
    const sent: Message[] = [];
    for (const n of [1, 2]) {
      const m = await queueMessage(
        world.repos,
        me,
        DORA,
        { type: 'text', text: { body: `during the outage ${n}` } },
        { metadata: { n } },
      );
      host.session.ring(m.id);
      sent.push(m);
    }
    await host.session.idle();
    for (const m of sent) {
      world.sim.sendReceipt(DORA, waMessageIdFor(m.id), 'delivered');
      await statusOf(m.id, 'delivered');
      world.sim.sendReceipt(DORA, waMessageIdFor(m.id), 'read');
      await statusOf(m.id, 'read');
    }
    await host.session.idle();
    const ids = sent.map((m) => m.id);

    // Nothing got through, and nothing is lost: six events (sent, delivered, read x 2) wait in the table.
    await until(async () => {
      const stored = await store.listPending(me.sessionId);
      return stored.length === 6 ? stored : undefined;
    }, 'six stored status events');
    const stored = await store.listPending(me.sessionId);
    expect(statusEvents(outage, ids)).toEqual([]);
    expect(outage.refused).toBeGreaterThan(0);

    // Retry rounds keep failing while the bus is down; once it is back, the next round publishes them all.
    const refusedBefore = outage.refused;
    await until(async () => (outage.refused > refusedBefore ? true : undefined), 'a retry round');
    outage.down = false;
    await until(
      async () => (statusEvents(outage, ids).length >= 6 ? true : undefined),
      'six status events published',
    );
    // A few more retry periods: nothing is published twice.
    await new Promise((r) => setTimeout(r, RETRY_MS * 4));
    await outbox.settled(me.sessionId);

    const published = statusEvents(outage, ids);
    expect(published).toEqual(stored);
    expect(new Set(published.map((e) => e.id)).size).toBe(6);
    for (const m of sent) {
      expect(published.filter((e) => e.data.messageId === m.id).map((e) => e.data)).toEqual(
        ['sent', 'delivered', 'read'].map((status) => ({
          messageId: m.id,
          waMessageId: waMessageIdFor(m.id),
          status,
          metadata: m.metadata,
        })),
      );
    }
    expect(await store.listPending(me.sessionId)).toEqual([]);

    // With the bus up, a new status goes straight through and leaves nothing behind.
    const after = await queueMessage(world.repos, me, DORA, { type: 'text', text: { body: 'after' } });
    host.session.ring(after.id);
    await host.session.idle();
    await until(
      async () => (statusEvents(outage, [after.id]).length === 1 ? true : undefined),
      'sent published live',
    );
    // Removed once the bus has it (just after the bus resolves, so polled).
    await until(
      async () => ((await store.listPending(me.sessionId)).length === 0 ? true : undefined),
      'the live event removed from the outbox',
    );

    host.session.detach();
    outbox.close();
    await host.messaging.close();
  });

  it("what a host left in the outbox is published by the next one's resume, ids unchanged", async () => {
    const outage = new OutageBus();
    outage.down = true;
    const first = new EventOutbox({
      store,
      bus: new BatchedEventBus({ target: outage, flushAfterMs: 10 }),
      log: quiet,
      retryMs: 60_000,
    });
    const host = attachOnAnotherHost(world, me, { outbox: first });
    const m = await queueMessage(world.repos, me, DORA, { type: 'text', text: { body: 'left behind' } });
    host.session.ring(m.id);
    await host.session.idle();
    await until(async () => {
      const stored = await store.listPending(me.sessionId);
      return stored.length === 1 ? stored : undefined;
    }, 'the sent event stored');
    const [left] = await store.listPending(me.sessionId);
    // The host goes away (its retry would only come in a minute).
    host.session.detach();
    first.close();
    await host.messaging.close();

    const next = new OutageBus();
    const second = new EventOutbox({
      store,
      bus: new BatchedEventBus({ target: next, flushAfterMs: 10 }),
      log: quiet,
      retryMs: RETRY_MS,
    });
    await second.resume(me.sessionId);
    expect(next.published).toEqual([left]);
    expect(left).toMatchObject({ type: 'message.status', data: { messageId: m.id, status: 'sent' } });
    expect(await store.listPending(me.sessionId)).toEqual([]);
    second.close();
  });
});
