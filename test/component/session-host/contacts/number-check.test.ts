/**
 * Number check through the product: the API rings the session's host (host request/reply), real Baileys asks
 * the simulator by usync (contact + LID protocols), the answer comes back through `hostReplies`, and the day's
 * cache answers a repeated check without reaching WhatsApp.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../../simulator/wire/nodes.js';
import { freshPhone } from '../support.js';
import { startContactsWorld, type ContactsWorld } from './support.js';

type Result = { phone: string; exists: boolean; jid?: string; lid?: string; cached: boolean };
type Problem = { type: string; status: number; detail: string };

let world: ContactsWorld;
let sessionId: string;
/** usync queries with the contact protocol the simulator received (number checks on the wire). */
let contactQueries = 0;

const isContactQuery = (n: BinaryNode): boolean => {
  if (n.tag !== 'iq' || n.attrs.xmlns !== 'usync' || !Array.isArray(n.content)) return false;
  const usync = n.content.find((c) => c.tag === 'usync');
  const query = Array.isArray(usync?.content) ? usync.content.find((c) => c.tag === 'query') : undefined;
  return Array.isArray(query?.content) && query.content.some((c) => c.tag === 'contact');
};

beforeAll(async () => {
  world = await startContactsWorld({ APP_CONTACT_CHECKS_PER_DAY: '4' });
  world.sim.events.on('stanza', (e) => {
    if (e.direction === 'in' && isContactQuery(e.node)) contactQueries += 1;
  });
  await world.startHost();
  sessionId = await world.linkSession(freshPhone());
}, 120_000);
afterAll(async () => world?.stop());

const check = (phones: string[], key = world.tenant.key) =>
  world.api.call<{ results: Result[] } & Problem>('POST', `/v1/sessions/${sessionId}/contacts/check`, {
    key,
    body: { phones },
  });

describe('POST /v1/sessions/{id}/contacts/check', () => {
  const onWhatsApp = '+15550300001';
  const missing = '+15550300002';

  it('answers existing and missing numbers from WhatsApp, with the jid and the LID', async () => {
    const contact = world.sim.addContact(onWhatsApp.slice(1));
    const before = contactQueries;
    const reply = await check([onWhatsApp, missing]);
    expect(reply.status).toBe(200);
    expect(reply.body.results).toEqual([
      {
        phone: onWhatsApp,
        exists: true,
        jid: `${onWhatsApp.slice(1)}@s.whatsapp.net`,
        lid: contact.lid.replace(/@lid$/, ''),
        checkedAt: expect.any(String),
        cached: false,
      },
      { phone: missing, exists: false, checkedAt: expect.any(String), cached: false },
    ]);
    expect(contactQueries).toBe(before + 1);
  });

  it('answers the same numbers again from the day’s cache without asking WhatsApp', async () => {
    const before = contactQueries;
    const reply = await check([missing, onWhatsApp]);
    expect(reply.status).toBe(200);
    expect(reply.body.results.map((r) => [r.phone, r.exists, r.cached])).toEqual([
      [missing, false, true],
      [onWhatsApp, true, true],
    ]);
    expect(contactQueries).toBe(before);
  });

  it('429 once the session’s daily limit of new numbers would be passed; cached ones stay free', async () => {
    // 2 of 4 used: 3 new numbers do not fit, 2 do.
    const refused = await check(['+15550300003', '+15550300004', '+15550300005']);
    expect(refused.status).toBe(429);
    expect(refused.body.type).toMatch(/rate-limited$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await check(['+15550300003', '+15550300004'])).status).toBe(200);
    expect((await check(['+15550300006'])).status).toBe(429);
    expect((await check([onWhatsApp, '+15550300003'])).status).toBe(200);
  });

  it('400 naming the field for a bad number or too many; 404 for another tenant’s session', async () => {
    const bad = await world.api.call<{ errors: { pointer: string }[] }>(
      'POST',
      `/v1/sessions/${sessionId}/contacts/check`,
      { key: world.tenant.key, body: { phones: ['+15550300001', '5550'] } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.pointer).toBe('/phones/1');
    const tooMany = Array.from({ length: 51 }, (_, i) => `+1555031${String(i).padStart(4, '0')}`);
    const over = await world.api.call<{ errors: { pointer: string }[] }>(
      'POST',
      `/v1/sessions/${sessionId}/contacts/check`,
      { key: world.tenant.key, body: { phones: tooMany } },
    );
    expect(over.status).toBe(400);
    expect(over.body.errors[0]?.pointer).toBe('/phones');
    const other = await world.api.createTenant();
    expect((await check([onWhatsApp], other.key)).status).toBe(404);
  });
});
