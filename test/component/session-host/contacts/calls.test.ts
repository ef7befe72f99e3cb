/**
 * Calls through the product with real Baileys on the simulator: a contact's call reaches `call.received`
 * (voice/video, group flag); with the session's `rejectCalls` on (PATCH on the session) the host rejects it, the
 * simulator records the reject, and the text reply lands in the caller's inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, DomainEventOf } from '../../../../shared/domain/events.js';
import { freshPhone, until } from '../support.js';
import { recordingEvents, startContactsWorld, type ContactsWorld } from './support.js';

let world: ContactsWorld;
let sessionId: string;
let account: string;
const caller = '+15550700001';
const published: DomainEvent[] = [];

beforeAll(async () => {
  world = await startContactsWorld();
  await world.startHost(recordingEvents(published));
  account = freshPhone();
  sessionId = await world.linkSession(account);
  world.sim.addContact(caller.slice(1));
}, 120_000);
afterAll(async () => world?.stop());

const callEvent = (callId: string) =>
  until(
    () =>
      published.find(
        (e): e is DomainEventOf<'call.received'> => e.type === 'call.received' && e.data.callId === callId,
      ),
    (e) => e !== undefined,
    `call.received for ${callId}`,
  );

describe('calls', () => {
  it('a video call rings: call.received, not rejected while the setting is off', async () => {
    const call = world.sim.contactCall(caller, account, { video: true });
    const event = await callEvent(call.id);
    expect(event?.sessionId).toBe(sessionId);
    expect(event?.data).toMatchObject({
      callId: call.id,
      from: { phone: caller },
      video: true,
      group: false,
      rejected: false,
      replied: false,
    });
    expect(world.sim.getCall(call.id)?.status).toBe('ringing');
  });

  it('with rejectCalls on, a call is rejected automatically and the reply reaches the caller', async () => {
    const patched = await world.api.call<{ rejectCalls?: unknown }>('PATCH', `/v1/sessions/${sessionId}`, {
      key: world.tenant.key,
      body: { rejectCalls: { enabled: true, reply: 'We cannot take calls; please write.' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.rejectCalls).toEqual({ enabled: true, reply: 'We cannot take calls; please write.' });

    const call = world.sim.contactCall(caller, account, { group: true });
    const rejected = await until(
      () => world.sim.getCall(call.id),
      (c) => c?.status === 'rejected',
      'the call rejected on the simulator',
    );
    expect(rejected?.rejectedBy).toBeGreaterThan(0);
    const event = await callEvent(call.id);
    expect(event?.data).toMatchObject({ video: false, group: true, rejected: true, replied: true });
    const inbox = await until(
      () => world.sim.inbox(caller.slice(1)),
      (entries) => entries.some((e) => e.text === 'We cannot take calls; please write.'),
      'the reply in the caller’s inbox',
    );
    expect(inbox.at(-1)?.from).toMatch(new RegExp(`^${account.slice(1)}:\\d+@s\\.whatsapp\\.net$`));
  });

  it('PATCH: 400 naming the field; 404 for another tenant’s session', async () => {
    const bad = await world.api.call<{ errors: { pointer: string }[] }>(
      'PATCH',
      `/v1/sessions/${sessionId}`,
      {
        key: world.tenant.key,
        body: { rejectCalls: { enabled: 'yes' } },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.pointer).toBe('/rejectCalls/enabled');
    const other = await world.api.createTenant();
    const foreign = await world.api.call('PATCH', `/v1/sessions/${sessionId}`, {
      key: other.key,
      body: { rejectCalls: { enabled: false } },
    });
    expect(foreign.status).toBe(404);
  });
});
