/**
 * Typing and call replies to contacts WhatsApp addresses by LID, through the product with real Baileys on the
 * simulator: "typing..." in a chat named `lid:<digits>` or by the number reaches the contact's phone at its LID,
 * and the reply of the session's `rejectCalls` setting reaches a LID-addressed caller, with its number
 * (`caller_pn`) and without it (a LID-only caller: the host answers its LID jid).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, DomainEventOf } from '../../../../shared/domain/events.js';
import { freshPhone, until } from '../support.js';
import { recordingEvents, startContactsWorld, type ContactsWorld } from './support.js';

let world: ContactsWorld;
let sessionId: string;
let account: string;
const typist = '+15550710001';
const caller = '+15550710002';
const hiddenCaller = '+15550710003';
const published: DomainEvent[] = [];
const REPLY = 'We cannot take calls; please write.';

beforeAll(async () => {
  world = await startContactsWorld();
  await world.startHost(recordingEvents(published));
  account = freshPhone();
  sessionId = await world.linkSession(account);
  for (const phone of [typist, caller, hiddenCaller]) {
    world.sim.addContact(phone.slice(1));
    world.sim.setContactAddressing(phone.slice(1), 'lid');
  }
  const patched = await world.api.call('PATCH', `/v1/sessions/${sessionId}`, {
    key: world.tenant.key,
    body: { rejectCalls: { enabled: true, reply: REPLY } },
  });
  expect(patched.status).toBe(200);
}, 120_000);
afterAll(async () => world?.stop());

/** The contact's LID digits, as the simulator's server assigned it. */
const lidOf = (phone: string): string => world.sim.getContact(phone.slice(1))!.lid.split('@')[0]!;

const callEvent = (callId: string) =>
  until(
    () =>
      published.find(
        (e): e is DomainEventOf<'call.received'> => e.type === 'call.received' && e.data.callId === callId,
      ),
    (e) => e !== undefined,
    `call.received for ${callId}`,
  );

const replyIn = (phone: string) =>
  until(
    () => world.sim.inbox(phone.slice(1)),
    (entries) => entries.some((e) => e.text === REPLY),
    `the reply in ${phone}'s inbox`,
  );

describe('LID-addressed contacts', () => {
  it('typing in a chat named by LID is shown on the contact’s phone', async () => {
    const chat = `lid:${lidOf(typist)}`;
    const typing = await world.api.call<{ chat: string; state: string }>(
      'POST',
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(chat)}/typing`,
      { key: world.tenant.key, body: { state: 'composing' } },
    );
    expect(typing.status).toBe(200);
    expect(typing.body).toEqual({ chat, state: 'composing' });
    const seen = await until(
      () => world.sim.chatStatesSeen(typist.slice(1)),
      (list) => list.length >= 1,
      'the chat state on the contact’s phone',
    );
    expect(seen.map((s) => [s.from, s.to, s.state])).toEqual([
      [account.slice(1), `${lidOf(typist)}@lid`, 'composing'],
    ]);
  });

  it('typing in the chat named by the number goes to the contact’s LID, as a message to it would', async () => {
    const typing = await world.api.call(
      'POST',
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(typist)}/typing`,
      { key: world.tenant.key, body: { state: 'paused' } },
    );
    expect(typing.status).toBe(200);
    const seen = await until(
      () => world.sim.chatStatesSeen(typist.slice(1)),
      (list) => list.length >= 2,
      'the second chat state on the contact’s phone',
    );
    expect(seen.map((s) => [s.to, s.state])[1]).toEqual([`${lidOf(typist)}@lid`, 'paused']);
  });

  it('a LID-addressed caller with its number (caller_pn) is rejected and gets the reply', async () => {
    const call = world.sim.contactCall(caller.slice(1), account);
    const event = await callEvent(call.id);
    expect(event?.data).toMatchObject({
      from: { phone: caller, lid: lidOf(caller) },
      rejected: true,
      replied: true,
    });
    expect(world.sim.getCall(call.id)?.status).toBe('rejected');
    await replyIn(caller);
  });

  it('a LID-only caller (no caller_pn) is rejected and the reply reaches its LID', async () => {
    const call = world.sim.contactCall(hiddenCaller.slice(1), account, { callerPn: false });
    const event = await callEvent(call.id);
    expect(event?.data.from).toEqual({ lid: lidOf(hiddenCaller) });
    expect(event?.data).toMatchObject({ rejected: true, replied: true });
    expect(world.sim.getCall(call.id)?.status).toBe('rejected');
    await replyIn(hiddenCaller);
    // The reply is an ordinary outbound message of the LID chat, sent.
    const listed = await until(
      async () =>
        (
          await world.api.call<{ items: { content: { text?: { body: string } }; status: string }[] }>(
            'GET',
            `/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(`lid:${lidOf(hiddenCaller)}`)}`,
            { key: world.tenant.key },
          )
        ).body.items,
      (items) => items.some((m) => m.content.text?.body === REPLY && m.status !== 'queued'),
      'the reply in the LID chat',
    );
    expect(listed.find((m) => m.content.text?.body === REPLY)?.status).not.toBe('failed');
  });
});
