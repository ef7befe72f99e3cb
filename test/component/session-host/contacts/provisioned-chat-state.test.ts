/**
 * A session provisioned without pairing (how benchmarks and chaos tests make many sessions: creds registered with
 * the simulator and seeded into the tables) changes chat state through the API like a paired one: the phone
 * shared its app-state sync key at the device's first login, so the host's app-state patch is made and reaches
 * the phone. Before, such a session had no key and every chat state change answered 502.
 */
import { BufferJSON } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLinkedSession } from '../../../../bench/support/seed-session.js';
import { provisionLinkedDevice } from '../../../../simulator/provision.js';
import { freshPhone, sessionNow, until } from '../support.js';
import { startContactsWorld, type ContactsWorld } from './support.js';

let world: ContactsWorld;
let sessionId: string;
let account: string;
const contact = '+15550720001';

beforeAll(async () => {
  world = await startContactsWorld();
  await world.startHost();
  account = freshPhone();
  world.sim.addContact(contact.slice(1));
  const creds = await provisionLinkedDevice(world.sim, account.slice(1));
  sessionId = await seedLinkedSession(
    world.adapters,
    world.api.cloud.stack.prefix,
    JSON.stringify(creds, BufferJSON.replacer),
    world.tenant.tenantId,
  );
  await until(
    () => sessionNow(world.adapters, sessionId),
    (s) => s.status === 'connected',
    'the provisioned session connected',
    60_000,
  );
}, 120_000);
afterAll(async () => world?.stop());

describe('a provisioned session', () => {
  it('archives a chat through app state: 200, and the phone shows it archived', async () => {
    // A chat to change: the contact writes first.
    const hello = await world.sim.contactSend(contact.slice(1), account.slice(1), 'Hi there');
    await until(
      async () => (await world.adapters.messages.findByWaMessageId(sessionId, hello.id)) ?? undefined,
      (m) => m !== undefined,
      'the contact’s message stored',
    );
    const archived = await world.api.call<{ archived: boolean }>(
      'PATCH',
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(contact)}`,
      { key: world.tenant.key, body: { archived: true } },
    );
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toBe(true);
    const flags = await world.sim.phoneChats.flags(account.slice(1));
    expect(flags.find((c) => c.jid === `${contact.slice(1)}@s.whatsapp.net`)).toEqual({
      jid: `${contact.slice(1)}@s.whatsapp.net`,
      archived: true,
    });
  });
});
