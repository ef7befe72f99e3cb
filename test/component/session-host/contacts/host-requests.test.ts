/**
 * Host request/reply with real session hosts: a session that is not connected is refused at once (409), and a
 * host that dies with a request in hand leaves the API to time out cleanly (504); its reply, written late, is
 * read by nobody, and the next host to run the session answers the next request with its own reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostReply } from '../../../../shared/contracts/host-request.js';
import type { HostReplyStore } from '../../../../shared/ports/host-reply-store.js';
import { freshPhone, sessionNow, until } from '../support.js';
import { startContactsWorld, type ContactsWorld } from './support.js';

type Problem = { type: string; status: number; detail: string };
type Checked = { results: { phone: string; exists: boolean; cached: boolean }[] };

let world: ContactsWorld;

beforeAll(async () => {
  world = await startContactsWorld();
}, 120_000);
afterAll(async () => world?.stop());

const check = (sessionId: string, phones: string[]) =>
  world.api.call<Checked & Problem>('POST', `/v1/sessions/${sessionId}/contacts/check`, {
    key: world.tenant.key,
    body: { phones },
  });

describe('host request/reply', () => {
  it('409 session-not-connected while the session is not linked (no host asked)', async () => {
    const created = await world.api.call<{ id: string }>('POST', '/v1/sessions', {
      key: world.tenant.key,
      body: {},
    });
    const reply = await check(created.body.id, ['+15550400001']);
    expect(reply.status).toBe(409);
    expect(reply.body.type).toMatch(/session-not-connected$/);
  });

  it('a host that dies with the request in hand: 504, the late reply is ignored, the next host answers', async () => {
    // The first host does the request on WhatsApp but dies before its reply is stored.
    const held: { requestId: string; sessionId: string; reply: HostReply }[] = [];
    const dying = await world.startHost({
      decorateAdapters: (adapters) => ({
        ...adapters,
        hostReplies: {
          put: async (requestId: string, sessionId: string, reply: HostReply) => {
            held.push({ requestId, sessionId, reply });
          },
          get: (id: string) => adapters.hostReplies.get(id),
        } satisfies HostReplyStore,
      }),
    });
    const phone = freshPhone();
    const sessionId = await world.linkSession(phone);
    world.sim.addContact('15550400002');

    const started = Date.now();
    const pending = check(sessionId, ['+15550400002']);
    await until(
      () => held.length,
      (n) => n > 0,
      'the host to have the answer in hand',
    );
    await dying.stop();
    const timedOut = await pending;
    expect(timedOut.status).toBe(504);
    expect(timedOut.body.type).toMatch(/host-timeout$/);
    // Bounded by the wait (3 s here), not by anything the dead host would have done.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(held[0]?.reply).toMatchObject({ ok: true });

    // The reply lands late (as if the host's write had been in flight): stored, but nobody waits for that id.
    const late = held[0]!;
    await world.adapters.hostReplies.put(late.requestId, late.sessionId, late.reply, 300);
    expect(await world.adapters.hostReplies.get(late.requestId)).toEqual(late.reply);

    // Another host takes the session over and answers the next request itself: the number was never cached
    // (the dead host's answer did not reach the API), so WhatsApp is asked again, through the new host.
    // The item still says `connected` from the dead host's time when the next host claims it: wait for the
    // next host's own login on the simulator, then for its `connected`.
    const loggedIn = new Promise<void>((resolve) =>
      world.sim.events.on('login', (e) => {
        if (`+${e.phone}` === phone) resolve();
      }),
    );
    const next = await world.startHost();
    await loggedIn;
    await until(
      () => sessionNow(world.adapters, sessionId),
      (item) => item.status === 'connected' && item.owner === next.hostId,
      'the session connected on the second host',
      30_000,
    );
    const answered = await check(sessionId, ['+15550400002', '+15550400003']);
    expect(answered.status, answered.body.detail).toBe(200);
    expect(answered.body.results.map((r) => [r.phone, r.exists, r.cached])).toEqual([
      ['+15550400002', true, false],
      ['+15550400003', false, false],
    ]);
  });
});
