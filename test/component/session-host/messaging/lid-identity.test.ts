import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waMessageIdFor } from '../../../../session-host/messaging/index.js';
import { chatKeyToJid } from '../../../../shared/domain/contact-id.js';
import {
  queueMessage,
  startMessagingWorld,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554460001';
/** Writes first, from her LID (with sender_pn), after the link: the history sync never named her. */
const DANA = '+15554460002';
/** Never writes: the session only finds her LID by looking it up. */
const ERIN = '+15554460003';

/** Issue "Identity" (dossier 4(d)): contacts migrated to LID addressing, through the session host. */
describe('contacts migrated to LID addressing, through HostMessaging', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;
  const lidOf = (phone: string): string => world.sim.getContact(phone)?.lid.split('@')[0] ?? 'none';

  beforeAll(async () => {
    world = await startMessagingWorld();
    me = await world.link(ME);
    for (const [phone, name] of [
      [DANA, 'Dana'],
      [ERIN, 'Erin'],
    ] as const) {
      world.sim.addContact(phone, name);
      world.sim.setContactAddressing(phone, 'lid');
    }
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('a message from a LID-addressed contact is stored and published with from {phone, lid}; the pair is in DynamoDB', async () => {
    const hello = await world.sim.contactSend(DANA, ME, 'hi, I moved to LID');
    const stored = await until(
      () => world.repos.messages.findByWaMessageId(me.sessionId, hello.id).then((m) => m ?? undefined),
      'the message from Dana stored',
    );
    const from = { phone: DANA, lid: lidOf(DANA) };
    expect(stored).toMatchObject({ direction: 'inbound', chatJid: '15554460002@s.whatsapp.net', from });
    expect(await world.repos.lidMappings.lidFor(me.sessionId, DANA)).toBe(lidOf(DANA));
    expect(await world.repos.lidMappings.phoneFor(me.sessionId, lidOf(DANA))).toBe(DANA);
    await me.session.idle();
    const event = world.bus.ofType('message.received').find((e) => e.data.message.id === stored.id);
    expect(event?.data.message.from).toEqual(from);
    expect(await world.repos.chats.get(me.sessionId, stored.chatJid)).toMatchObject({
      phone: DANA,
      lid: lidOf(DANA),
    });
    // `?chat=` by her phone number finds it, as for any contact whose number is known.
    const page = await world.repos.messages.listByChat(me.sessionId, chatKeyToJid(DANA));
    expect(page.items.map((m) => m.id)).toEqual([stored.id]);
  });

  it('read receipts for her messages go to her LID, as received: by doorbell, and by the drain on attach', async () => {
    const sent = [
      await world.sim.contactSend(DANA, ME, 'are you there?'),
      await world.sim.contactSend(DANA, ME, 'hello?'),
    ];
    const stored = await Promise.all(
      sent.map((s) =>
        until(
          () => world.repos.messages.findByWaMessageId(me.sessionId, s.id).then((m) => m ?? undefined),
          `message ${s.id} stored`,
        ),
      ),
    );
    expect(stored.map((m) => m.chatJid)).toEqual([
      '15554460002@s.whatsapp.net',
      '15554460002@s.whatsapp.net',
    ]);
    // As POST .../chats/{chatId}/read marks them.
    const markRead = (id: string) =>
      world.repos.messages.advanceStatus(me.sessionId, id, 'read', {
        at: new Date().toISOString(),
        readReceiptPending: true,
      });
    const statusOnHerPhone = (id: string) => world.sim.outbox(DANA).find((e) => e.id === id)?.status;
    // The receipt stanza is on the wire when Baileys resolves; the simulator handles it a moment later.
    const readOnHerPhone = (id: string) =>
      until(async () => (statusOnHerPhone(id) === 'read' ? true : undefined), `${id} read on her phone`);
    expect(sent.map((s) => statusOnHerPhone(s.id))).toEqual(['delivered', 'delivered']);

    await markRead(stored[0]!.id);
    me.session.readReceipts([stored[0]!.id]);
    await me.session.idle();
    await readOnHerPhone(sent[0]!.id);
    expect(sent.map((s) => statusOnHerPhone(s.id))).toEqual(['read', 'delivered']);

    // No doorbell (the host was down when it was marked): the drain on attach sends it.
    await markRead(stored[1]!.id);
    await me.session.drain();
    await me.session.idle();
    await readOnHerPhone(sent[1]!.id);
    expect(sent.map((s) => statusOnHerPhone(s.id))).toEqual(['read', 'read']);
    expect(await world.repos.messages.listReadReceiptsPending(me.sessionId)).toEqual([]);
  });

  it('a send by phone number goes to the LID it learned from her message, and she receives it', async () => {
    const reply = await queueMessage(world.repos, me, DANA, { type: 'text', text: { body: 'welcome' } });
    me.session.ring(reply.id);
    await me.session.idle();
    expect(await world.repos.messages.get(me.sessionId, reply.id)).toMatchObject({ status: 'sent' });
    expect(world.sim.inbox(DANA).map((e) => [e.id, e.text])).toEqual([[waMessageIdFor(reply.id), 'welcome']]);
  });

  it('a send by phone number to a contact that never wrote looks her LID up, and she receives it', async () => {
    expect(await world.repos.lidMappings.lidFor(me.sessionId, ERIN)).toBeNull();
    const first = await queueMessage(world.repos, me, ERIN, { type: 'text', text: { body: 'hello Erin' } });
    me.session.ring(first.id);
    await me.session.idle();
    expect(await world.repos.messages.get(me.sessionId, first.id)).toMatchObject({ status: 'sent' });
    expect(world.sim.inbox(ERIN).map((e) => e.text)).toEqual(['hello Erin']);
    expect(await world.repos.lidMappings.lidFor(me.sessionId, ERIN)).toBe(lidOf(ERIN));
  });
});
