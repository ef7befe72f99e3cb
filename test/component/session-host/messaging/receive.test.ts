import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { physicalTableName } from '../../../../shared/definitions/tables.js';
import type { DomainEvent } from '../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import type { EventBus } from '../../../../shared/ports/event-bus.js';
import { fanOutEvent } from '../../../../shared/services/webhooks/fan-out.js';
import { toChatView } from '../../../../shared/services/views.js';
import { waMessageIdFor } from '../../../../session-host/messaging/index.js';
import { messageReceivedEvent } from '../../../../session-host/messaging/outbox.js';
import { nextEvent } from '../../../simulator/helpers.js';
import {
  RecordingEventBus,
  attachOnAnotherHost,
  queueMessage,
  startMessagingWorld,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554450001';
const CAROL = '+15554450002';
const CAROL_JID = '15554450002@s.whatsapp.net';

describe('receiving and receipts through HostMessaging on a real Baileys socket', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;

  const stored = (waMessageId: string) =>
    until(
      async () => (await world.repos.messages.findByWaMessageId(me.sessionId, waMessageId)) ?? undefined,
      `message ${waMessageId} stored`,
    );
  const statusOf = (id: string, status: Message['status']) =>
    until(async () => {
      const m = await world.repos.messages.get(me.sessionId, id);
      return m?.status === status ? m : undefined;
    }, `message ${id} ${status}`);

  /** The stored item's outbox marker, read raw (the repository never returns it). */
  const markerOf = async (id: string) => {
    const out = await world.aws.clients.dynamo.send(
      new GetCommand({
        TableName: physicalTableName(world.aws.config.APP_RESOURCE_PREFIX, 'messages'),
        Key: { sessionId: me.sessionId, messageId: id },
        ConsistentRead: true,
      }),
    );
    return out.Item?.eventPendingSession as string | undefined;
  };
  const pendingIds = async () =>
    (await world.repos.messages.listPendingEvents(me.sessionId)).map((m) => m.id);
  /** Another host process for the same session: its own HostMessaging, over the same tables, with `events`. */
  const otherHost = (events: EventBus, outboxRetryMs = world.config.outboxRetryMs) =>
    attachOnAnotherHost(world, me, { events, config: { outboxRetryMs } });
  /** Another host attaches and drains: it must publish `m`'s event, only that, and leave nothing pending. */
  const republishedOnAttach = async (m: Message) => {
    const bus = new RecordingEventBus();
    const next = otherHost(bus);
    await next.session.drain();
    expect(bus.ofType('message.received')).toEqual([messageReceivedEvent(m)]);
    expect(await pendingIds()).toEqual([]);
    return { bus, next };
  };
  /** A bus whose first `failures` publishes of `message.received` throw (an EventBridge outage), then records. */
  const outageBus = (failures: number) => {
    const recorded = new RecordingEventBus();
    const attempts: string[][] = [];
    const bus: EventBus = {
      publish: async (events) => {
        if (events.some((e) => e.type === 'message.received')) {
          attempts.push(events.map((e) => e.id));
          if (attempts.length <= failures) throw new Error('ThrottlingException: Rate exceeded');
        }
        await recorded.publish(events);
      },
    };
    return { bus, recorded, attempts };
  };
  /** A host that dies after storing a message and before its event batch leaves: publishes never complete. */
  const crashingBus: EventBus = { publish: () => new Promise<void>(() => undefined) };

  /** Carol's LID, which the session learned (history sync, the lookup before our first send to her). */
  const carolLid = (): string | undefined => world.sim.getContact(CAROL)?.lid.split('@')[0];

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(CAROL, 'Carol');
    me = await world.link(ME);
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('a text and a reply quoting our message are stored; the chat counts them unread; message.received published', async () => {
    const ours = await queueMessage(world.repos, me, CAROL, {
      type: 'text',
      text: { body: 'Your order shipped' },
    });
    me.session.ring(ours.id);
    await me.session.idle();

    const hello = await world.sim.contactSend(CAROL, ME, 'Hi, is my order ready?');
    const first = await stored(hello.id);
    expect(first).toMatchObject({
      direction: 'inbound',
      chatJid: CAROL_JID,
      from: { phone: CAROL, lid: carolLid() },
      senderJid: CAROL_JID,
      pushName: 'Carol',
      type: 'text',
      content: { type: 'text', text: { body: 'Hi, is my order ready?' } },
      status: 'delivered',
      waMessageId: hello.id,
    });
    expect(first.replyTo).toBeUndefined();

    const reply = await world.sim.contactSend(CAROL, ME, 'Thanks!', waMessageIdFor(ours.id));
    const second = await stored(reply.id);
    expect(second).toMatchObject({ type: 'text', content: { text: { body: 'Thanks!' } }, replyTo: ours.id });
    await me.session.idle();

    const chat = await world.repos.chats.get(me.sessionId, CAROL_JID);
    expect(chat).toMatchObject({
      tenantId: me.tenantId,
      phone: CAROL,
      name: 'Carol',
      unreadCount: 2,
      lastMessage: { id: second.id, type: 'text', preview: 'Thanks!', direction: 'inbound' },
    });
    const received = world.bus.ofType('message.received').map((e) => e.data.message);
    expect(received).toEqual([
      {
        id: first.id,
        waMessageId: hello.id,
        chatJid: CAROL_JID,
        from: { phone: CAROL, lid: carolLid() },
        senderJid: CAROL_JID,
        pushName: 'Carol',
        type: 'text',
        content: { type: 'text', text: { body: 'Hi, is my order ready?' } },
        createdAt: first.createdAt,
      },
      expect.objectContaining({ id: second.id, replyTo: ours.id }),
    ]);
    for (const e of world.bus.ofType('message.received')) {
      expect(e).toMatchObject({ tenantId: me.tenantId, sessionId: me.sessionId });
    }
    // chat.updated once per message that moved the chat (our send, then each received one), the last one the
    // chat as stored and as the chats list shows it.
    const moves = [ours.id, first.id, second.id];
    const chatUpdates = world.bus
      .ofType('chat.updated')
      .filter((e) => moves.includes(e.data.chat.lastMessage.id));
    expect(chatUpdates.map((e) => [e.data.chat.lastMessage.id, e.data.chat.unreadCount])).toEqual([
      [ours.id, 0],
      [first.id, 1],
      [second.id, 2],
    ]);
    expect(chatUpdates.at(-1)).toMatchObject({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      data: { chat: toChatView(chat!) },
    });
  });

  it('a redelivered message (same WhatsApp id) is stored once and published once', async () => {
    const upsert = nextEvent(me.socket, 'messages.upsert', (u) => u.messages.some((m) => !m.key.fromMe));
    const sent = await world.sim.contactSend(CAROL, ME, 'only once please');
    const [original] = (await upsert).messages.filter((m) => !m.key.fromMe) as [WAMessage];
    await stored(sent.id);
    await me.session.idle();
    const publishedBefore = world.bus.ofType('message.received').length;

    me.socket.ev.emit('messages.upsert', { messages: [original], type: 'notify' });
    me.socket.ev.emit('messages.upsert', { messages: [original, original], type: 'notify' });
    await me.session.idle();

    const page = await world.repos.messages.listByChat(me.sessionId, CAROL_JID);
    expect(page.items.filter((m) => m.waMessageId === sent.id)).toHaveLength(1);
    expect(world.bus.ofType('message.received')).toHaveLength(publishedBefore);
    expect((await world.repos.chats.get(me.sessionId, CAROL_JID))?.unreadCount).toBe(3);
  });

  it('message.received carries the message id as its event id; the outbox marker is gone once published', async () => {
    const sent = await world.sim.contactSend(CAROL, ME, 'which id is this?');
    const m = await stored(sent.id);
    await me.session.idle();
    const events = world.bus.ofType('message.received').filter((e) => e.data.message.id === m.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual(messageReceivedEvent(m));
    expect(events[0]).toMatchObject({ id: m.id, createdAt: m.statusHistory[0]!.at });
    await until(async () => ((await markerOf(m.id)) === undefined ? true : undefined), 'marker cleared');
    expect(await pendingIds()).not.toContain(m.id);
    expect(m).not.toHaveProperty('eventPendingSession');
  });

  it('a reaction to our message is stored with our id and does not count as unread', async () => {
    const ours = await queueMessage(world.repos, me, CAROL, { type: 'text', text: { body: 'React to me' } });
    me.session.ring(ours.id);
    await me.session.idle();
    const unread = (await world.repos.chats.get(me.sessionId, CAROL_JID))?.unreadCount;

    const reaction = await world.sim.contactReact(CAROL, ME, waMessageIdFor(ours.id), '❤️');
    const m = await stored(reaction.id);
    await me.session.idle();
    expect(m).toMatchObject({
      type: 'reaction',
      content: { type: 'reaction', reaction: { messageId: ours.id, emoji: '❤️' } },
    });
    expect((await world.repos.chats.get(me.sessionId, CAROL_JID))?.unreadCount).toBe(unread);
  });

  it('receipts move our message to delivered, then read, each published with the send metadata', async () => {
    const ours = await queueMessage(
      world.repos,
      me,
      CAROL,
      { type: 'text', text: { body: 'Receipt me' } },
      { metadata: { ticket: 42 } },
    );
    me.session.ring(ours.id);
    await me.session.idle();
    const waId = waMessageIdFor(ours.id);

    world.sim.sendReceipt(CAROL, waId, 'delivered');
    await statusOf(ours.id, 'delivered');
    world.sim.sendReceipt(CAROL, waId, 'read');
    const read = await statusOf(ours.id, 'read');
    expect(read.statusHistory.map((h) => h.status)).toEqual([
      'queued',
      'sending',
      'sent',
      'delivered',
      'read',
    ]);

    // A late delivery receipt (Baileys reports what the server relays, in any order) changes nothing.
    me.socket.ev.emit('messages.update', [
      {
        key: { id: waId, fromMe: true, remoteJid: CAROL_JID },
        update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK },
      },
    ]);
    await me.session.idle();
    expect((await world.repos.messages.get(me.sessionId, ours.id))?.statusHistory).toHaveLength(5);

    const statuses = world.bus
      .ofType('message.status')
      .filter((e) => e.data.messageId === ours.id)
      .map((e) => e.data);
    expect(statuses).toEqual([
      { messageId: ours.id, waMessageId: waId, status: 'sent', metadata: { ticket: 42 } },
      { messageId: ours.id, waMessageId: waId, status: 'delivered', metadata: { ticket: 42 } },
      { messageId: ours.id, waMessageId: waId, status: 'read', metadata: { ticket: 42 } },
    ]);
  });

  it('attaching a session again replaces the earlier attachment: one message is stored and published once', async () => {
    const published = world.bus.ofType('message.received').length;
    const replacement = world.messaging.attach({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      socket: me.socket,
      flushCredentials: async () => undefined,
    });
    try {
      const sent = await world.sim.contactSend(CAROL, ME, 'after a second attach');
      await stored(sent.id);
      await replacement.idle();
      const page = await world.repos.messages.listByChat(me.sessionId, CAROL_JID);
      expect(page.items.filter((m) => m.waMessageId === sent.id)).toHaveLength(1);
      expect(world.bus.ofType('message.received')).toHaveLength(published + 1);

      // The replaced attachment no longer sends.
      const ours = await queueMessage(world.repos, me, CAROL, { type: 'text', text: { body: 'old handle' } });
      me.session.ring(ours.id);
      await me.session.idle();
      expect((await world.repos.messages.get(me.sessionId, ours.id))?.status).toBe('queued');
      replacement.ring(ours.id);
      await replacement.idle();
      expect((await world.repos.messages.get(me.sessionId, ours.id))?.status).toBe('sent');
    } finally {
      replacement.detach();
    }
  });

  it('a host that dies between storing a message and publishing it leaves it pending; the next attach republishes it once, same id', async () => {
    me.session.detach();
    const crashed = otherHost(crashingBus);
    const sent = await world.sim.contactSend(CAROL, ME, 'lost in a crash?');
    const m = await stored(sent.id);
    await crashed.session.idle();
    crashed.session.detach(); // the process is gone
    expect(await markerOf(m.id)).toBe(me.sessionId);
    expect(await pendingIds()).toEqual([m.id]);

    const { bus, next } = await republishedOnAttach(m);
    try {
      expect(bus.events[0]?.id).toBe(m.id);
      expect(await markerOf(m.id)).toBeUndefined();
      // Nothing left: attaching once more publishes nothing.
      await next.session.drain();
      expect(bus.events).toHaveLength(1);
    } finally {
      next.session.detach();
      await Promise.all([crashed.messaging.close(), next.messaging.close()]);
    }
  });

  it('two attaches republishing the same pending message race: the same event id twice, one webhook delivery per subscription', async () => {
    const crashed = otherHost(crashingBus);
    const sent = await world.sim.contactSend(CAROL, ME, 'published twice?');
    const m = await stored(sent.id);
    await crashed.session.idle();
    crashed.session.detach();
    expect(await pendingIds()).toEqual([m.id]);

    // Host A's publish completes only once host B has published too, so both find the marker still there.
    let release: () => void = () => undefined;
    const bothPublished = new Promise<void>((resolve) => (release = resolve));
    const a = new RecordingEventBus();
    const b = new RecordingEventBus();
    const gatedA: EventBus = {
      publish: async (events) => {
        await a.publish(events);
        await bothPublished;
      },
    };
    const gatedB: EventBus = {
      publish: async (events) => {
        await b.publish(events);
        release();
      },
    };
    const hostA = otherHost(gatedA);
    const hostB = otherHost(gatedB);
    try {
      const drainA = hostA.session.drain();
      await until(async () => (a.events.length > 0 ? true : undefined), 'host A published');
      await hostB.session.drain();
      await drainA;
      const published: DomainEvent[] = [...a.events, ...b.events];
      expect(published.map((e) => e.id)).toEqual([m.id, m.id]);
      expect(a.events).toEqual(b.events);
      expect(await pendingIds()).toEqual([]);

      // Both copies through the webhook fan-out (real webhooks and deliveries tables): one delivery each.
      const subscriptions = await Promise.all(
        [1, 2].map((n) =>
          world.repos.webhooks.create(
            {
              id: newId(),
              tenantId: me.tenantId,
              url: `https://hooks${n}.example.com/wa`,
              events: ['message.received'],
              enabled: true,
              secretPrefix: 'whsec_test',
              createdAt: nowIso(),
            },
            'sealed-secret',
          ),
        ),
      );
      const jobs: { webhookId: string; deliveryId: string }[] = [];
      const deps = {
        webhooks: world.repos.webhooks,
        deliveries: world.repos.deliveries,
        payloads: { put: async () => undefined },
        queue: {
          send: async (queued: readonly { webhookId: string; deliveryId: string }[]) =>
            void jobs.push(...queued),
        },
      };
      const [first, second] = published as [DomainEvent, DomainEvent];
      await fanOutEvent(deps, first);
      expect(jobs.map((j) => j.deliveryId)).toEqual([m.id, m.id]);
      expect(jobs.map((j) => j.webhookId).sort()).toEqual(subscriptions.map((s) => s.id).sort());
      // The delivery worker POSTs and records the attempt; the copy then finds those deliveries and queues nothing.
      for (const job of jobs) {
        await world.repos.deliveries.markSucceeded(job.webhookId, job.deliveryId, {
          at: nowIso(),
          statusCode: 204,
        });
      }
      expect(await fanOutEvent(deps, second)).toEqual({ matched: 2, queued: 0 });
      expect(jobs).toHaveLength(2);
      for (const subscription of subscriptions) {
        const log = await world.repos.deliveries.listByWebhook(me.tenantId, subscription.id);
        expect(log.items.map((d) => [d.id, d.status, d.attempts])).toEqual([[m.id, 'succeeded', 1]]);
      }
    } finally {
      hostA.session.detach();
      hostB.session.detach();
      await Promise.all([crashed.messaging.close(), hostA.messaging.close(), hostB.messaging.close()]);
    }
  });

  it('a publish that fails while the session stays attached is retried until the bus takes it, then the marker clears', async () => {
    me.session.detach();
    const outage = outageBus(2);
    const host = otherHost(outage.bus, 50);
    try {
      const sent = await world.sim.contactSend(CAROL, ME, 'sent during an EventBridge outage');
      const m = await stored(sent.id);
      await until(
        async () => (outage.recorded.ofType('message.received').length > 0 ? true : undefined),
        'message.received on the bus after the outage',
      );
      // The first publish and one retry round failed; the second round went through, with the same event.
      expect(outage.attempts).toEqual([[m.id], [m.id], [m.id]]);
      expect(outage.recorded.ofType('message.received')).toEqual([messageReceivedEvent(m)]);
      await until(async () => ((await markerOf(m.id)) === undefined ? true : undefined), 'marker cleared');
      expect(await pendingIds()).toEqual([]);
    } finally {
      host.session.detach();
      await host.messaging.close();
    }
  });

  it('a session detached after a failed publish is not retried by that host; its marker waits for the next attach', async () => {
    me.session.detach();
    const outage = outageBus(1);
    const host = otherHost(outage.bus, 50);
    const sent = await world.sim.contactSend(CAROL, ME, 'failed, then the lease was lost');
    const m = await stored(sent.id);
    await until(async () => (outage.attempts.length > 0 ? true : undefined), 'first publish attempted');
    host.session.detach();
    await new Promise((r) => setTimeout(r, 300)); // six retry periods
    expect(outage.attempts).toEqual([[m.id]]);
    expect(outage.recorded.ofType('message.received')).toEqual([]);
    expect(await pendingIds()).toEqual([m.id]);

    const { next } = await republishedOnAttach(m);
    next.session.detach();
    await Promise.all([host.messaging.close(), next.messaging.close()]);
  });
});
