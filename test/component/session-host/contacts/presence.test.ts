/**
 * Presence and typing through the product: the API asks the session's host, real Baileys sends the stanzas, the
 * simulated contact's phone shows them; the contact going online and typing reaches the host as Baileys'
 * `presence.update` and leaves it as `presence.updated` on the bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, DomainEventOf } from '../../../../shared/domain/events.js';
import { freshPhone, until } from '../support.js';
import { recordingEvents, startContactsWorld, type ContactsWorld } from './support.js';

type Problem = { type: string; status: number; detail: string };

let world: ContactsWorld;
let sessionId: string;
let account: string;
const contact = '+15550500001';
const published: DomainEvent[] = [];

beforeAll(async () => {
  world = await startContactsWorld();
  await world.startHost(recordingEvents(published));
  account = freshPhone();
  sessionId = await world.linkSession(account);
  world.sim.addContact(contact.slice(1));
}, 120_000);
afterAll(async () => world?.stop());

const post = <T>(path: string, body?: unknown) =>
  world.api.call<T & Problem>('POST', `/v1/sessions/${sessionId}${path}`, {
    key: world.tenant.key,
    ...(body === undefined ? {} : { body }),
  });

const presenceEvents = (): DomainEventOf<'presence.updated'>[] =>
  published.filter((e): e is DomainEventOf<'presence.updated'> => e.type === 'presence.updated');

describe('presence and typing', () => {
  it('typing, recording and paused in a chat are shown on the contact’s phone', async () => {
    const chat = `/chats/${encodeURIComponent(contact)}/typing`;
    const typing = await post<{ chat: string; state: string }>(chat, { state: 'composing' });
    expect(typing.status).toBe(200);
    expect(typing.body).toEqual({ chat: contact, state: 'composing' });
    expect((await post(chat, { state: 'recording' })).status).toBe(200);
    expect((await post(chat, { state: 'paused' })).status).toBe(200);
    const seen = await until(
      () => world.sim.chatStatesSeen(contact),
      (list) => list.length >= 3,
      'the three chat states on the contact’s phone',
    );
    expect(seen.map((s) => [s.from, s.state])).toEqual([
      [account.slice(1), 'composing'],
      [account.slice(1), 'recording'],
      [account.slice(1), 'paused'],
    ]);
  });

  it('the account goes online and offline', async () => {
    const online = await post<{ presence: string }>('/presence', { presence: 'available' });
    expect(online.status).toBe(200);
    await until(
      () => world.sim.accountPresence(account).presence,
      (p) => p === 'available',
      'the account online',
    );
    expect((await post('/presence', { presence: 'unavailable' })).status).toBe(200);
    await until(
      () => world.sim.accountPresence(account).presence,
      (p) => p === 'unavailable',
      'the account offline',
    );
  });

  it('a subscribed contact’s presence and typing reach presence.updated', async () => {
    const subscribed = await post<{ phone: string; subscribed: boolean }>(
      `/contacts/${encodeURIComponent(contact)}/presence/subscribe`,
    );
    expect(subscribed.status).toBe(200);
    expect(subscribed.body).toEqual({ phone: contact, subscribed: true });
    expect(world.sim.accountPresence(account).subscribedTo).toContain(contact.slice(1));
    // The server answers the subscription with the contact's presence now: offline, with a last seen.
    const offline = await until(
      () => presenceEvents(),
      (list) => list.some((e) => e.data.presence === 'unavailable'),
      'the contact’s current presence',
    );
    expect(offline[0]?.sessionId).toBe(sessionId);
    expect(offline[0]?.data).toMatchObject({ contact: { phone: contact }, presence: 'unavailable' });
    expect(offline[0]?.data.lastSeen).toMatch(/^\d{4}-/);

    expect(world.sim.contactPresence(contact, 'available')).toBe(1);
    world.sim.contactChatState(contact, account, 'composing');
    const later = await until(
      () => presenceEvents().map((e) => e.data.presence),
      (list) => list.includes('available') && list.includes('composing'),
      'online, then typing',
    );
    expect(later.slice(-2)).toEqual(['available', 'composing']);
  });

  it('a reconnect loses the subscription on WhatsApp; the host subscribes again', async () => {
    const dropped = new Promise<string[]>((resolve) => {
      const onDisconnect = ({ phone }: { phone?: string }) => {
        if (phone !== account.slice(1)) return;
        world.sim.events.off('disconnect', onDisconnect);
        // Read at the moment the connection is gone, before anything could subscribe again.
        resolve(world.sim.accountPresence(account).subscribedTo);
      };
      world.sim.events.on('disconnect', onDisconnect);
    });
    expect(await world.sim.streamErrorAck(account)).not.toEqual([]);
    expect(await dropped).toEqual([]);
    await until(
      () => world.sim.accountPresence(account).subscribedTo,
      (list) => list.includes(contact.slice(1)),
      'the subscription made again on the new connection',
      60_000,
    );
    const before = presenceEvents().length;
    expect(world.sim.contactPresence(contact, 'unavailable')).toBe(1);
    await until(
      () => presenceEvents().slice(before),
      (list) => list.some((e) => e.data.presence === 'unavailable'),
      'presence.updated after the reconnect',
    );
  });

  it('400 naming the field; 409 when the session is not connected', async () => {
    const bad = await world.api.call<{ errors: { pointer: string }[] }>(
      'POST',
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(contact)}/typing`,
      { key: world.tenant.key, body: { state: 'dancing' } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.pointer).toBe('/state');
    const created = await world.api.call<{ id: string }>('POST', '/v1/sessions', {
      key: world.tenant.key,
      body: {},
    });
    const offline = await world.api.call<Problem>('POST', `/v1/sessions/${created.body.id}/presence`, {
      key: world.tenant.key,
      body: { presence: 'available' },
    });
    expect(offline.status).toBe(409);
    expect(offline.body.type).toMatch(/session-not-connected$/);
  });
});
