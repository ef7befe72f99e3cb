/**
 * Profiles and blocking through the product with real Baileys on the simulator: the contact's picture URL,
 * about text and business profile; a block that stops the contact's messages (WhatsApp keeps them from the
 * account) and an unblock after which they arrive again; the block list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPhone, sleep, until } from '../support.js';
import { startContactsWorld, type ContactsWorld } from './support.js';

type Problem = { type: string; status: number; detail: string };

let world: ContactsWorld;
let sessionId: string;
let account: string;
const shop = '+15550600001';
const plain = '+15550600002';

beforeAll(async () => {
  world = await startContactsWorld();
  await world.startHost();
  account = freshPhone();
  sessionId = await world.linkSession(account);
  world.sim.addContact(shop.slice(1), 'Corner Shop');
  world.sim.addContact(plain.slice(1));
}, 120_000);
afterAll(async () => world?.stop());

const call = <T>(method: string, path: string) =>
  world.api.call<T & Problem>(method, `/v1/sessions/${sessionId}${path}`, { key: world.tenant.key });
const contactPath = (phone: string) => `/contacts/${encodeURIComponent(phone)}`;

/** Messages of `phone` in the session's history (what the host received and stored). */
const historyOf = async (phone: string) =>
  (
    await call<{ items: { content: { text?: { body: string } } }[] }>(
      'GET',
      `/messages?chat=${encodeURIComponent(phone)}`,
    )
  ).body.items.map((m) => m.content.text?.body);

describe('contact profile', () => {
  it('answers the picture URL, the about text and the business profile', async () => {
    const set = world.sim.setContactProfile(shop, {
      about: 'Open 9-5',
      picture: true,
      business: { description: 'Groceries', category: 'Shopping & retail', email: 'hi@shop.test' },
    });
    const reply = await call<Record<string, unknown>>('GET', `${contactPath(shop)}/profile`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      phone: shop,
      pictureUrl: set.picture?.url,
      about: 'Open 9-5',
      business: { description: 'Groceries', category: 'Shopping & retail', email: 'hi@shop.test' },
    });
  });

  it('a contact without picture, about or business: just the phone', async () => {
    const reply = await call<Record<string, unknown>>('GET', `${contactPath(plain)}/profile`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ phone: plain });
  });
});

describe('block and unblock', () => {
  it('a blocked contact’s messages do not reach the account; unblocked, they do again', async () => {
    await world.sim.contactSend(plain, account, 'before the block');
    await until(
      () => historyOf(plain),
      (texts) => texts.includes('before the block'),
      'the first message',
    );

    const blocked = await call<{ phone: string; blocked: boolean }>('POST', `${contactPath(plain)}/block`);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ phone: plain, blocked: true });
    expect(world.sim.blockedBy(account)).toEqual([plain.slice(1)]);
    const list = await call<{ items: { phone?: string; lid?: string }[] }>('GET', '/contacts/blocked');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { phone: plain, lid: world.sim.getContact(plain.slice(1))?.lid.replace(/@lid$/, '') },
    ]);

    const kept = new Promise<string>((resolve) =>
      world.sim.events.once('blocked-message', (e) => resolve(e.contact)),
    );
    await world.sim.contactSend(plain, account, 'while blocked');
    expect(await kept).toBe(plain.slice(1));

    const unblocked = await call<{ blocked: boolean }>('POST', `${contactPath(plain)}/unblock`);
    expect(unblocked.body).toEqual({ phone: plain, blocked: false });
    await world.sim.contactSend(plain, account, 'after the unblock');
    const texts = await until(
      () => historyOf(plain),
      (t) => t.includes('after the unblock'),
      'the message after the unblock',
    );
    // Give a wrongly delivered message time to show up before asserting its absence.
    await sleep(500);
    expect(await historyOf(plain)).not.toContain('while blocked');
    expect(texts).toContain('before the block');
    expect((await call<{ items: unknown[] }>('GET', '/contacts/blocked')).body.items).toEqual([]);
  });

  it('400 naming the phone; 404 for another tenant’s session', async () => {
    const bad = await world.api.call<{ errors: { field?: string }[] }>(
      'POST',
      `/v1/sessions/${sessionId}/contacts/5550/block`,
      { key: world.tenant.key },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.field).toBe('phone');
    const other = await world.api.createTenant();
    const foreign = await world.api.call<Problem>(
      'GET',
      `/v1/sessions/${sessionId}${contactPath(shop)}/profile`,
      {
        key: other.key,
      },
    );
    expect(foreign.status).toBe(404);
  });
});
