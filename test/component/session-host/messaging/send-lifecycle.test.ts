import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import { waMessageIdFor } from '../../../../session-host/messaging/index.js';
import type { InboxEntry } from '../../../../simulator/world/types.js';
import { queueMessage, startMessagingWorld, type LinkedAccount, type MessagingWorld } from './support.js';

const ME = '15554470001';
const ALICE = '+15554470002';
const BOB = '+15554470003';

describe('the life of a send: doorbells, drains, takeovers, detach', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;

  const inboxEntry = (phone: string, message: Message): InboxEntry | undefined =>
    world.sim.inbox(phone).find((e) => e.id === waMessageIdFor(message.id));

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(ALICE, 'Alice');
    world.sim.addContact(BOB, 'Bob');
    me = await world.link(ME);
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('a duplicate doorbell (and a drain on top) sends once', async () => {
    const queued = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'ring ring' } });
    const acks: string[] = [];
    const duplicates: string[] = [];
    const onAck = (a: { id: string }) => acks.push(a.id);
    const onDup = (d: { id: string }) => duplicates.push(d.id);
    world.sim.events.on('message-ack', onAck);
    world.sim.events.on('message-duplicate', onDup);
    me.session.ring(queued.id);
    me.session.ring(queued.id);
    await me.session.drain();
    me.session.ring(queued.id);
    await me.session.idle();
    me.session.ring(queued.id); // after it is sent
    await me.session.idle();
    world.sim.events.off('message-ack', onAck);
    world.sim.events.off('message-duplicate', onDup);

    const waId = waMessageIdFor(queued.id);
    expect(acks.filter((id) => id === waId)).toHaveLength(1);
    expect(duplicates).toEqual([]);
    expect(world.sim.inbox(ALICE).filter((e) => e.id === waId)).toHaveLength(1);
    const stored = await world.repos.messages.get(me.sessionId, queued.id);
    expect(stored?.statusHistory.map((h) => h.status)).toEqual(['queued', 'sending', 'sent']);
  });

  it('drain sends the queued backlog in order', async () => {
    const backlog: Message[] = [];
    for (let i = 1; i <= 5; i++) {
      backlog.push(
        await queueMessage(world.repos, me, BOB, { type: 'text', text: { body: `backlog ${i}` } }),
      );
    }
    const before = world.sim.inbox(BOB).length;
    await me.session.drain();
    await me.session.idle();
    expect(
      world.sim
        .inbox(BOB)
        .slice(before)
        .map((e) => e.text),
    ).toEqual(['backlog 1', 'backlog 2', 'backlog 3', 'backlog 4', 'backlog 5']);
    for (const m of backlog)
      expect((await world.repos.messages.get(me.sessionId, m.id))?.status).toBe('sent');
  });

  it('drain resumes a message a dead host left sending, under the same WhatsApp id: the contact has it once', async () => {
    const queued = await queueMessage(world.repos, me, BOB, { type: 'text', text: { body: 'half sent' } });
    const waId = waMessageIdFor(queued.id);
    // What the dead host did: marked it sending with the derived id, and its stanza reached WhatsApp.
    await world.repos.messages.advanceStatus(me.sessionId, queued.id, 'sending', {
      at: nowIso(),
      waMessageId: waId,
    });
    await me.socket.sendMessage('15554470003@s.whatsapp.net', { text: 'half sent' }, { messageId: waId });
    const later = await queueMessage(world.repos, me, BOB, {
      type: 'text',
      text: { body: 'after the takeover' },
    });
    const duplicates: string[] = [];
    const onDup = (d: { id: string }) => duplicates.push(d.id);
    world.sim.events.on('message-duplicate', onDup);
    await me.session.drain();
    await me.session.idle();
    world.sim.events.off('message-duplicate', onDup);

    expect(duplicates).toEqual([waId]);
    expect(world.sim.inbox(BOB).filter((e) => e.id === waId)).toHaveLength(1);
    expect(await world.repos.messages.get(me.sessionId, queued.id)).toMatchObject({
      status: 'sent',
      waMessageId: waId,
    });
    expect((await world.repos.messages.get(me.sessionId, later.id))?.status).toBe('sent');
    const texts = world.sim.inbox(BOB).map((e) => e.text);
    expect(texts.indexOf('half sent')).toBeLessThan(texts.indexOf('after the takeover'));
  });

  it('detach stops at once: a rung message stays queued and the next attach sends it', async () => {
    const queued = await queueMessage(world.repos, me, BOB, {
      type: 'text',
      text: { body: 'after reattach' },
    });
    me.session.ring(queued.id);
    me.session.detach();
    await me.session.idle();
    expect((await world.repos.messages.get(me.sessionId, queued.id))?.status).toBe('queued');

    const again = world.messaging.attach({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      socket: me.socket,
      flushCredentials: async () => undefined,
    });
    try {
      await again.drain();
      await again.idle();
      expect((await world.repos.messages.get(me.sessionId, queued.id))?.status).toBe('sent');
      expect(inboxEntry(BOB, queued)?.text).toBe('after reattach');
    } finally {
      again.detach();
    }
  });

  it('a doorbell that rings before the first drain waits for the older backlog: the contact gets them in order', async () => {
    me.session.detach();
    const older: Message[] = [];
    for (let i = 1; i <= 3; i++) {
      older.push(await queueMessage(world.repos, me, BOB, { type: 'text', text: { body: `older ${i}` } }));
    }
    const newest = await queueMessage(world.repos, me, BOB, { type: 'text', text: { body: 'newest' } });
    const before = world.sim.inbox(BOB).length;
    const early = world.messaging.attach({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      socket: me.socket,
      flushCredentials: async () => undefined,
    });
    try {
      // The API's doorbell for the newest message reaches the host before host-core's drain lists the backlog.
      early.ring(newest.id);
      await early.drain();
      await early.idle();
      expect(
        world.sim
          .inbox(BOB)
          .slice(before)
          .map((e) => e.text),
      ).toEqual(['older 1', 'older 2', 'older 3', 'newest']);
    } finally {
      early.detach();
    }
  });

  it('a closed socket leaves the message queued (no attempt burnt towards failed) for the drain after reconnect', async () => {
    const queued = await queueMessage(world.repos, me, BOB, {
      type: 'text',
      text: { body: 'while offline' },
    });
    me.socket.end(undefined);
    const closed = world.messaging.attach({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      socket: me.socket,
      flushCredentials: async () => undefined,
    });
    try {
      closed.ring(queued.id);
      await closed.idle();
      expect(await world.repos.messages.get(me.sessionId, queued.id)).toMatchObject({
        status: 'queued',
        statusHistory: [{ status: 'queued' }],
      });
    } finally {
      closed.detach();
    }
  });
});
