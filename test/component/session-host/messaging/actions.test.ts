import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { Message } from '../../../../shared/domain/message.js';
import {
  queueMessage,
  startMessagingWorld,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554460001';
const DAVE = '+15554460002';
const ERIN = '+15554460003';
const DAVE_JID = '15554460002@s.whatsapp.net';

/**
 * Edits, revokes and polls both ways through HostMessaging on real Baileys sockets and the simulator: what we
 * send reaches the contact's phone (its inbox applies the edit or the revoke), what the contact sends changes
 * the stored message, and votes are decrypted into tallies.
 */
describe('message actions and polls on a real Baileys socket', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;

  const get = (id: string) => world.repos.messages.get(me.sessionId, id);
  const sendAndSettle = async (to: string, content: Parameters<typeof queueMessage>[3]): Promise<Message> => {
    const queued = await queueMessage(world.repos, me, to, content);
    me.session.ring(queued.id);
    await me.session.idle();
    const sent = await get(queued.id);
    expect(sent?.status).toBe('sent');
    return sent!;
  };
  const stored = (waMessageId: string) =>
    until(
      async () => (await world.repos.messages.findByWaMessageId(me.sessionId, waMessageId)) ?? undefined,
      `message ${waMessageId} stored`,
    );
  const inboxEntry = (contact: string, id: string) => world.sim.inbox(contact).find((e) => e.id === id);

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(DAVE, 'Dave');
    world.sim.addContact(ERIN, 'Erin');
    me = await world.link(ME);
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("our edit reaches the contact's phone and our copy keeps the history; message.edited published", async () => {
    const original = await sendAndSettle(DAVE, { type: 'text', text: { body: 'Meet at 5' } });
    const edit = await sendAndSettle(DAVE, {
      type: 'edit',
      edit: { messageId: original.id, body: 'Meet at 6' },
    });

    const seen = inboxEntry(DAVE, original.waMessageId!);
    expect(seen).toMatchObject({ text: 'Meet at 6', edited: true, editHistory: ['Meet at 5'] });
    const updated = await get(original.id);
    expect(updated).toMatchObject({
      type: 'text',
      content: { type: 'text', text: { body: 'Meet at 6' } },
      edited: true,
      editHistory: [{ body: 'Meet at 5' }],
    });
    const event = await until(
      async () => world.bus.ofType('message.edited').find((e) => e.data.messageId === original.id),
      'message.edited published',
    );
    expect(event).toMatchObject({
      id: edit.id,
      data: {
        direction: 'outbound',
        text: 'Meet at 6',
        chatJid: DAVE_JID,
        waMessageId: original.waMessageId,
      },
    });
    // The edit record does not become the chat's last message.
    const chat = await world.repos.chats.get(me.sessionId, DAVE_JID);
    expect(chat?.lastMessage.id).toBe(original.id);
  });

  it("our revoke deletes the message on the contact's phone; ours is kept, marked revoked, content cleared", async () => {
    const original = await sendAndSettle(DAVE, { type: 'text', text: { body: 'Wrong chat, sorry' } });
    await sendAndSettle(DAVE, { type: 'edit', edit: { messageId: original.id, body: 'Wrong chat!' } });
    await sendAndSettle(DAVE, { type: 'revoke', revoke: { messageId: original.id } });

    const seen = inboxEntry(DAVE, original.waMessageId!);
    expect(seen?.revoked).toBe(true);
    expect(seen?.text).toBeUndefined();
    expect(await get(original.id)).toMatchObject({
      id: original.id,
      type: 'revoked',
      content: { type: 'revoked', revoked: { previousType: 'text' } },
      revoked: true,
    });
    // Nothing of what it said is kept, not even the edit history.
    const gone = await get(original.id);
    expect(gone?.editHistory).toBeUndefined();
    expect(gone?.edited).toBeUndefined();
    expect(JSON.stringify(gone)).not.toContain('Wrong chat');
    // Nor the proto kept for retry receipts: a late retry receipt must not bring the text back.
    expect(await world.repos.messages.findSentProto(me.sessionId, original.waMessageId!)).toBeNull();
    await until(
      async () => world.bus.ofType('message.revoked').find((e) => e.data.messageId === original.id),
      'message.revoked published',
    );
  });

  it("the contact's edit and revoke change the stored messages (history kept, revoked content gone)", async () => {
    const hello = await world.sim.contactSend(DAVE, ME, 'See you tomorow');
    const first = await stored(hello.id);
    await world.sim.contactActions.edit(DAVE, ME, hello.id, 'See you tomorrow');
    const edited = await until(async () => {
      const m = await get(first.id);
      return m?.edited ? m : undefined;
    }, 'edit applied');
    expect(edited).toMatchObject({
      content: { type: 'text', text: { body: 'See you tomorrow' } },
      editHistory: [{ body: 'See you tomorow' }],
    });
    const inboundEdit = await until(
      async () => world.bus.ofType('message.edited').find((e) => e.data.messageId === first.id),
      'inbound message.edited published',
    );
    expect(inboundEdit.data).toMatchObject({
      direction: 'inbound',
      text: 'See you tomorrow',
      from: { phone: DAVE },
    });

    const oops = await world.sim.contactSend(DAVE, ME, 'my card pin is 1234');
    const second = await stored(oops.id);
    await world.sim.contactActions.revoke(DAVE, ME, oops.id);
    const revoked = await until(async () => {
      const m = await get(second.id);
      return m?.revoked ? m : undefined;
    }, 'revoke applied');
    expect(revoked.content).toEqual({ type: 'revoked', revoked: { previousType: 'text' } });
    expect(JSON.stringify(revoked)).not.toContain('1234');
  });

  it("an edit and a revoke made on the account's own phone change our stored message and publish events", async () => {
    const ours = await sendAndSettle(ERIN, { type: 'text', text: { body: 'Table for 4' } });
    const waId = ours.waMessageId!;
    await world.sim.phoneChats.changeMessage(ME, ERIN, waId, { action: 'edit', text: 'Table for 5' });
    expect(inboxEntry(ERIN, waId)).toMatchObject({ text: 'Table for 5', edited: true });
    const edited = await until(async () => {
      const m = await get(ours.id);
      return m?.edited ? m : undefined;
    }, 'the phone’s edit applied');
    expect(edited).toMatchObject({
      content: { type: 'text', text: { body: 'Table for 5' } },
      editHistory: [{ body: 'Table for 4' }],
    });
    const event = await until(
      async () => world.bus.ofType('message.edited').find((e) => e.data.messageId === ours.id),
      'message.edited for the phone’s edit',
    );
    expect(event.data).toMatchObject({ direction: 'outbound', text: 'Table for 5', waMessageId: waId });
    expect(event.data.from).toBeUndefined();

    await world.sim.phoneChats.changeMessage(ME, ERIN, waId, { action: 'revoke' });
    expect(inboxEntry(ERIN, waId)?.revoked).toBe(true);
    const revoked = await until(async () => {
      const m = await get(ours.id);
      return m?.revoked ? m : undefined;
    }, 'the phone’s revoke applied');
    expect(JSON.stringify(revoked)).not.toContain('Table for');
    await until(
      async () => world.bus.ofType('message.revoked').find((e) => e.data.messageId === ours.id),
      'message.revoked for the phone’s revoke',
    );
    // The phone's actions are not messages of the chat.
    const chat = await world.repos.chats.get(me.sessionId, `${ERIN.slice(1)}@s.whatsapp.net`);
    expect(chat?.lastMessage.id).toBe(ours.id);
  });

  it("a contact's revoke naming our message (a modified client) changes nothing", async () => {
    const ours = await sendAndSettle(DAVE, { type: 'text', text: { body: 'Invoice attached' } });
    const revokes = world.bus.ofType('message.revoked').length;
    await world.sim.contactActions.revoke(DAVE, ME, ours.waMessageId!, { unchecked: true });
    // A message sent after it is stored, so the revoke before it was processed (the receive chain is in order).
    const after = await world.sim.contactSend(DAVE, ME, 'ok');
    await stored(after.id);
    expect(await get(ours.id)).toMatchObject({
      type: 'text',
      content: { type: 'text', text: { body: 'Invoice attached' } },
    });
    expect((await get(ours.id))?.revoked).toBeUndefined();
    expect(world.bus.ofType('message.revoked')).toHaveLength(revokes);
  });

  it('a poll we send is voted on by two contacts; votes are decrypted into live tallies and poll.vote events', async () => {
    const poll = { name: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'], selectableCount: 2 };
    const content = {
      type: 'poll' as const,
      poll: { ...poll, options: poll.options.map((name) => ({ name, count: 0, voters: [] })) },
    };
    const toDave = await sendAndSettle(DAVE, content);
    const toErin = await sendAndSettle(ERIN, content);
    expect(inboxEntry(DAVE, toDave.waMessageId!)?.type).toBe('poll');
    // The secret was kept on the poll before the send, and it is the one the contact's phone got: a resend
    // after a crash asks for it again and gets the same bytes, so votes keep decrypting.
    const kept = await world.repos.messages.findPollSecret(me.sessionId, toDave.id);
    const received = proto.Message.fromObject(inboxEntry(DAVE, toDave.waMessageId!)!.content);
    expect(kept).toHaveLength(32);
    expect(Buffer.from(received.messageContextInfo!.messageSecret!).equals(Buffer.from(kept!))).toBe(true);
    const again = await world.repos.messages.ensurePollSecret(me.sessionId, toDave.id, new Uint8Array(32));
    expect(Buffer.from(again).equals(Buffer.from(kept!))).toBe(true);

    await world.sim.contactActions.vote(DAVE, ME, toDave.waMessageId!, ['Pizza', 'Salad']);
    await world.sim.contactActions.vote(ERIN, ME, toErin.waMessageId!, ['Sushi']);
    const tallies = async (id: string) => {
      const m = await get(id);
      return m?.content.type === 'poll' ? m.content.poll.options.map((o) => [o.name, o.count, o.voters]) : [];
    };
    await until(
      async () => ((await tallies(toErin.id))[1]?.[1] === 1 ? true : undefined),
      "Erin's vote tallied",
    );
    await until(
      async () => ((await tallies(toDave.id))[0]?.[1] === 1 ? true : undefined),
      "Dave's vote tallied",
    );
    expect(await tallies(toDave.id)).toEqual([
      ['Pizza', 1, [DAVE]],
      ['Sushi', 0, []],
      ['Salad', 1, [DAVE]],
    ]);
    expect(await tallies(toErin.id)).toEqual([
      ['Pizza', 0, []],
      ['Sushi', 1, [ERIN]],
      ['Salad', 0, []],
    ]);

    // Dave changes his mind: his earlier choice no longer counts.
    await world.sim.contactActions.vote(DAVE, ME, toDave.waMessageId!, ['Sushi']);
    await until(
      async () => ((await tallies(toDave.id))[1]?.[1] === 1 ? true : undefined),
      "Dave's new vote tallied",
    );
    expect((await tallies(toDave.id)).map((t) => t[1])).toEqual([0, 1, 0]);
    // The tally is stored before its event is published (the event bus batches): wait for the second event.
    const votes = await until(async () => {
      const seen = world.bus.ofType('poll.vote').filter((e) => e.data.messageId === toDave.id);
      return seen.length >= 2 ? seen : undefined;
    }, "Dave's second poll.vote");
    expect(votes.map((e) => e.data.selectedOptions)).toEqual([['Pizza', 'Salad'], ['Sushi']]);
    expect(votes[1]?.data).toMatchObject({ voter: DAVE, direction: 'outbound' });
  });

  it("the contact's location, contact card and poll are stored with their fields", async () => {
    const place = await world.sim.contactActions.sendLocation(DAVE, ME, {
      latitude: 52.52,
      longitude: 13.405,
      name: 'Alexanderplatz',
      address: 'Berlin',
    });
    expect((await stored(place.id)).content).toEqual({
      type: 'location',
      location: { latitude: 52.52, longitude: 13.405, name: 'Alexanderplatz', address: 'Berlin' },
    });
    const card = await world.sim.contactActions.sendContactCard(DAVE, ME, {
      name: 'Frank, Jr.',
      phones: ['+15554460009'],
    });
    expect((await stored(card.id)).content).toEqual({
      type: 'contacts',
      contacts: [{ name: { formattedName: 'Frank, Jr.' }, phones: [{ phone: '+15554460009' }] }],
    });
    const theirs = await world.sim.contactActions.sendPoll(DAVE, ME, {
      name: 'Which day?',
      options: ['Mon', 'Tue'],
      selectableCount: 1,
    });
    expect((await stored(theirs.id)).content).toEqual({
      type: 'poll',
      poll: {
        name: 'Which day?',
        options: [
          { name: 'Mon', count: 0, voters: [] },
          { name: 'Tue', count: 0, voters: [] },
        ],
        selectableCount: 1,
      },
    });
    // The contact votes on its own poll: the vote decrypts with the secret its poll carried.
    await world.sim.contactActions.vote(DAVE, ME, theirs.id, ['Tue']);
    const tallied = await until(async () => {
      const m = await stored(theirs.id);
      return m.content.type === 'poll' && m.content.poll.options[1]?.count === 1 ? m : undefined;
    }, "Dave's vote on his own poll tallied");
    expect(tallied.content).toMatchObject({
      poll: {
        options: [
          { name: 'Mon', count: 0, voters: [] },
          { name: 'Tue', count: 1, voters: [DAVE] },
        ],
      },
    });
    const vote = await until(async () => {
      const seen = world.bus.ofType('poll.vote').find((e) => e.data.messageId === tallied.id);
      return seen;
    }, "poll.vote for Dave's own poll");
    expect(vote.data).toMatchObject({ voter: DAVE, direction: 'inbound', selectedOptions: ['Tue'] });
  });
});
