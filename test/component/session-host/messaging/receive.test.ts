import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { Message } from '../../../../shared/domain/message.js';
import { waMessageIdFor } from '../../../../session-host/messaging/index.js';
import { nextEvent } from '../../../simulator/helpers.js';
import {
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
      from: CAROL,
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
        from: CAROL,
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
});
