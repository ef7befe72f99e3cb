import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../../shared/domain/message.js';
import { HostMessaging, waMessageIdFor } from '../../../../session-host/messaging/index.js';
import {
  queueMessage,
  TEST_MESSAGING_CONFIG,
  startMessagingWorld,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const BUSY = '15554460001';
const QUIET = '15554460002';
const DAVE = '+15554460003';
const ERIN = '+15554460004';

describe('scheduling across sessions', () => {
  let world: MessagingWorld;
  let busy: LinkedAccount;
  let quiet: LinkedAccount;

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(DAVE, 'Dave');
    world.sim.addContact(ERIN, 'Erin');
    busy = await world.link(BUSY);
    quiet = await world.link(QUIET);
    // Both first listings done, as host-core drains on attach: a doorbell then goes straight to its lane. Without
    // it the first ring of each session starts its listing, and the quiet session's one-item listing could finish
    // before the busy one's twelve (seen once in CI: the quiet message went first).
    await Promise.all([busy.session.drain(), quiet.session.drain()]);
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("one session's burst does not hold back another session's message (round-robin)", async () => {
    const burst: Message[] = [];
    for (let i = 0; i < 12; i++) {
      burst.push(await queueMessage(world.repos, busy, DAVE, { type: 'text', text: { body: `burst ${i}` } }));
    }
    const single = await queueMessage(world.repos, quiet, ERIN, { type: 'text', text: { body: 'just one' } });
    const order: string[] = [];
    const onAck = (a: { id: string }) => order.push(a.id);
    world.sim.events.on('message-ack', onAck);
    for (const m of burst) busy.session.ring(m.id); // the whole burst is waiting before the other one rings
    quiet.session.ring(single.id);
    await Promise.all([busy.session.idle(), quiet.session.idle()]);
    world.sim.events.off('message-ack', onAck);

    const sequence = order.map((id) => (id === waMessageIdFor(single.id) ? 'quiet' : 'busy'));
    expect(sequence).toHaveLength(13);
    // One send at a time (concurrency 1): the quiet session's message goes right after the burst's first.
    expect(sequence.indexOf('quiet')).toBe(1);
    // The burst itself stays in order.
    expect(
      world.sim
        .inbox(DAVE)
        .map((e) => e.text)
        .filter((t) => t?.startsWith('burst')),
    ).toEqual(burst.map((_, i) => `burst ${i}`));
  });

  it("pacing: a session waits its minimum gap between sends while another session's send goes ahead", async () => {
    busy.session.detach();
    quiet.session.detach();
    const quietLog = () => undefined;
    const paced = new HostMessaging({
      messages: world.repos.messages,
      chats: world.repos.chats,
      lidMappings: world.repos.lidMappings,
      events: world.bus,
      media: world.media,
      // A gap far longer than this test runs: a second send of the paced session cannot happen in it.
      config: { ...TEST_MESSAGING_CONFIG, minGapMs: 600_000, jitterMs: 0, concurrency: 4 },
      log: { debug: quietLog, info: quietLog, warn: quietLog, error: quietLog },
    });
    const attach = (a: LinkedAccount) =>
      paced.attach({
        tenantId: a.tenantId,
        sessionId: a.sessionId,
        socket: a.socket,
        flushCredentials: async () => undefined,
      });
    const busyPaced = attach(busy);
    const quietPaced = attach(quiet);
    try {
      const first = await queueMessage(world.repos, busy, DAVE, { type: 'text', text: { body: 'paced 1' } });
      const second = await queueMessage(world.repos, busy, DAVE, { type: 'text', text: { body: 'paced 2' } });
      busyPaced.ring(first.id);
      busyPaced.ring(second.id);
      await until(async () => {
        const m = await world.repos.messages.get(busy.sessionId, first.id);
        return m?.status === 'sent' ? m : undefined;
      }, 'first paced message sent');

      const other = await queueMessage(world.repos, quiet, ERIN, {
        type: 'text',
        text: { body: 'not paced behind' },
      });
      quietPaced.ring(other.id);
      await quietPaced.idle();
      expect((await world.repos.messages.get(quiet.sessionId, other.id))?.status).toBe('sent');
      // Sent after the paced session's first message, and still the paced session's second waits its turn.
      expect((await world.repos.messages.get(busy.sessionId, second.id))?.status).toBe('queued');
    } finally {
      busyPaced.detach();
      quietPaced.detach();
      await paced.close();
    }
  });
});
