/**
 * Number pools through the whole local product (API, one session host process with real Baileys, the
 * simulator, signed webhooks), one stack and one pool of three paired sessions for every case: thirty contacts
 * stick to their number across sends and replies, racing first sends to a new contact land on one member,
 * idempotent retries deliver once, caps and warm-up hold, and a member logged out from its phone and a member
 * timelocked by WhatsApp (463) lose their contacts to the others on the next send, nothing lost or doubled.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { type ApiClient, eventually } from '../support/api-client.js';
import { createTenant, linkSessions } from '../support/link-sessions.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const ACCOUNTS = ['+15551710001', '+15551710002', '+15551710003'];
const CONTACTS = Array.from({ length: 30 }, (_, i) => `+1555172${String(i).padStart(4, '0')}`);
const RACED = '+15551739001';
const RETRIED = '+15551739002';
const CAPPED = Array.from({ length: 6 }, (_, i) => `+1555174${String(i).padStart(4, '0')}`);
/** The failover worker's case: contacts queued on a member that drops, and one it reaches out to locked. */
const GRACE = Array.from({ length: 3 }, (_, i) => `+1555175${String(i).padStart(4, '0')}`);
const REACHED_OUT = '+15551759001';
const digits = (e164: string): string => e164.slice(1);

interface Sent {
  id: string;
  status: string;
  poolId: string;
  sessionId: string;
}
interface MemberView {
  sessionId: string;
  health: string;
  reason?: string;
  stats: { sent: number; failed: number; contactsAssigned: number; newContactsToday: number } & {
    allowanceToday?: number;
    restrictedPeriods: number;
  };
}
interface Stored {
  status: string;
  error?: { code: string };
  reroutedTo?: { sessionId: string };
}
interface PoolBody {
  id: string;
  members: MemberView[];
  totals: { sent: number; contactsAssigned: number };
}
interface ContactBody {
  sessionId: string;
  history: { sessionId: string; reason: string }[];
}

describe('end to end: a number pool of three sessions', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let other: ApiClient;
  let receiver: WebhookReceiver;
  let secret: string;
  const sessions: string[] = [];
  const accountOf = new Map<string, string>();
  let poolId: string;
  /** Contact -> member, as the first round assigned them. */
  const firstMember = new Map<string, string>();

  const send = (pool: string, to: string, body: string, headers?: Record<string, string>) =>
    api.post<Sent>(`/v1/pools/${pool}/messages`, { to, type: 'text', text: { body } }, headers);
  /** The texts on the contact's phone, with the account that sent each. */
  const inbox = (contact: string) =>
    product.simulator!.inbox(digits(contact)).map((e) => ({ text: e.text, from: e.from.split(/[:@]/)[0] }));
  const arrived = (contact: string, text: string) =>
    eventually(`"${text}" on ${contact}'s phone`, async () => inbox(contact).find((e) => e.text === text));
  const status = async (sessionId: string) =>
    (await api.get<{ status: string; restriction?: { active: boolean } }>(`/v1/sessions/${sessionId}`)).body;
  const pool = async (id: string) => (await api.get<PoolBody>(`/v1/pools/${id}`)).body;
  const reassigned = () => {
    const verifier = new Webhook(secret);
    return receiver.received
      .map((r) => verifier.verify(r.body, r.headers) as { type: string; data: Record<string, string> })
      .filter((e) => e.type === 'pool.reassigned');
  };
  /** Sends `text` to every contact at once; answers contact -> member. */
  const round = async (contacts: readonly string[], text: string): Promise<Map<string, string>> => {
    const replies = await Promise.all(contacts.map((c) => send(poolId, c, text)));
    for (const r of replies) expect(r.status).toBe(202);
    await Promise.all(contacts.map((c) => arrived(c, text)));
    return new Map(contacts.map((c, i) => [c, replies[i]!.body.sessionId]));
  };

  beforeAll(async () => {
    product = await startLocalProduct({
      simulator: true,
      hosts: 1,
      stackFile: false,
      seedTenant: false,
      hostEnv: { APP_SEND_MIN_GAP_MS: '0', APP_SEND_JITTER_MS: '0' },
      hostOutput: process.env.E2E_HOST_LOGS ? 'inherit' : 'ignore',
    });
    api = await createTenant(product, 'pools');
    other = await createTenant(product, 'someone else');
    receiver = await startWebhookReceiver();
    const hook = await api.post<{ secret: string }>('/v1/webhooks', {
      url: receiver.url,
      events: ['pool.reassigned'],
    });
    expect(hook.status).toBe(201);
    secret = hook.body.secret;

    const sim = product.simulator!;
    for (const c of [...CONTACTS, RACED, RETRIED, ...CAPPED, ...GRACE, REACHED_OUT])
      sim.addContact(digits(c));
    const linked = await linkSessions(product, api, ACCOUNTS);
    sessions.push(...linked.sessions);
    for (const [id, account] of linked.accountOf) accountOf.set(id, account);
  }, 180_000);

  afterAll(async () => {
    await receiver?.close();
    await product?.stop();
  });

  it('refuses bad pools: another tenant’s session 404, a session twice 409, a send with no members 409', async () => {
    const theirs = (await other.post<{ id: string }>('/v1/sessions', { name: 'theirs' })).body.id;
    const foreign = await api.post('/v1/pools', { name: 'x', members: [{ sessionId: theirs }] });
    expect(foreign.status).toBe(404);
    const twice = await api.post('/v1/pools', {
      name: 'x',
      members: [{ sessionId: sessions[0] }, { sessionId: sessions[0] }],
    });
    expect(twice.status).toBe(409);
    const bad = await api.post<{ errors: { pointer: string }[] }>('/v1/pools', {
      name: 'x',
      members: [{ sessionId: sessions[0], weight: 0 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.pointer).toBe('/members/0/weight');
    const empty = await api.post<{ id: string }>('/v1/pools', { name: 'empty' });
    expect(empty.status).toBe(201);
    expect((await send(empty.body.id, CONTACTS[0]!, 'nobody')).status).toBe(409);
    // Another tenant's pool is a 404, to read and to send through.
    expect((await other.get(`/v1/pools/${empty.body.id}`)).status).toBe(404);
    expect(
      (
        await other.post(`/v1/pools/${empty.body.id}/messages`, {
          to: RACED,
          type: 'text',
          text: { body: 'x' },
        })
      ).status,
    ).toBe(404);
  });

  it('spreads thirty new contacts over the members; each sticks to its number across sends and replies', async () => {
    const created = await api.post<PoolBody>('/v1/pools', {
      name: 'support',
      members: sessions.map((sessionId) => ({ sessionId })),
    });
    expect(created.status).toBe(201);
    poolId = created.body.id;

    // One by one: every first send sees the others' loads, so the spread is exact.
    for (const contact of CONTACTS) {
      const r = await send(poolId, contact, 'round 1');
      expect(r.status).toBe(202);
      expect(r.body.poolId).toBe(poolId);
      firstMember.set(contact, r.body.sessionId);
    }
    for (const id of sessions) expect([...firstMember.values()].filter((m) => m === id)).toHaveLength(10);
    await Promise.all(CONTACTS.map((c) => arrived(c, 'round 1')));

    const second = await round(CONTACTS, 'round 2');
    const assigned = await Promise.all(
      CONTACTS.map((c) => api.get<ContactBody>(`/v1/pools/${poolId}/contacts/${encodeURIComponent(c)}`)),
    );
    CONTACTS.forEach((c, i) => {
      expect(second.get(c)).toBe(firstMember.get(c));
      // The phone saw both from the same number.
      expect(new Set(inbox(c).map((e) => e.from))).toEqual(new Set([accountOf.get(firstMember.get(c)!)]));
      expect(assigned[i]!.body).toMatchObject({ sessionId: firstMember.get(c), history: [] });
    });

    // Replies come in on the contact's member and carry the pool.
    const sim = product.simulator!;
    const repliers = CONTACTS.slice(0, 6);
    for (const c of repliers)
      await sim.contactSend(digits(c), accountOf.get(firstMember.get(c)!)!, `hi from ${c}`);
    const replies = repliers.map(async (c) => {
      const member = firstMember.get(c)!;
      return eventually(`${c}'s reply on its member`, async () => {
        const page = await api.get<{ items: { direction: string; poolId?: string }[] }>(
          `/v1/sessions/${member}/messages?chat=${encodeURIComponent(c)}`,
        );
        return page.body.items.find((m) => m.direction === 'inbound');
      });
    });
    for (const reply of await Promise.all(replies)) expect(reply.poolId).toBe(poolId);
    // And a reply is answered by the same number.
    expect((await round(repliers, 'round 2b')).get(repliers[0]!)).toBe(firstMember.get(repliers[0]!));

    const stats = await pool(poolId);
    for (const m of stats.members) {
      expect(m.health).toBe('healthy');
      expect(m.stats.contactsAssigned).toBe(10);
      expect(m.stats.newContactsToday).toBe(10);
    }
    expect(stats.totals.sent).toBe(66);
  }, 150_000);

  it('racing first sends to one new contact all land on one member', async () => {
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => send(poolId, RACED, `race ${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(202));
    const members = new Set(replies.map((r) => r.body.sessionId));
    expect(members.size).toBe(1);
    for (let i = 0; i < 6; i += 1) await arrived(RACED, `race ${i}`);
    expect(new Set(inbox(RACED).map((e) => e.from))).toEqual(new Set([accountOf.get([...members][0]!)]));
    expect(inbox(RACED)).toHaveLength(6);
  });

  it('idempotent retries at pool scope answer one message on one member and deliver it once', async () => {
    const key = { 'idempotency-key': 'pool-retry-1' };
    const replies = await Promise.all(Array.from({ length: 4 }, () => send(poolId, RETRIED, 'once', key)));
    const late = await send(poolId, RETRIED, 'once', key);
    const all = [...replies, late];
    expect(all.map((r) => r.status)).toEqual(Array(5).fill(202));
    expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(all.map((r) => r.body.sessionId)).size).toBe(1);
    expect((await send(poolId, RETRIED, 'another body', key)).status).toBe(409);
    await arrived(RETRIED, 'once');
    // Give a second copy every chance to arrive: a later send on the same member lands after it would have.
    await round([RETRIED], 'after the retries');
    expect(inbox(RETRIED).filter((e) => e.text === 'once')).toHaveLength(1);
  });

  it('respects daily caps and the warm-up ramp, and says no_member_available when all are full', async () => {
    const capped = await api.post<PoolBody>('/v1/pools', {
      name: 'capped',
      members: [{ sessionId: sessions[0], dailyCap: 2 }, { sessionId: sessions[1] }],
      // Both joined today: day 0 of the ramp allows 3 new contacts.
      policy: { warmup: [3, 10] },
    });
    expect(capped.status).toBe(201);
    const id = capped.body.id;
    const placed: string[] = [];
    for (const c of CAPPED.slice(0, 5)) {
      const r = await send(id, c, 'capped hello');
      expect(r.status).toBe(202);
      placed.push(r.body.sessionId);
    }
    expect(placed.filter((m) => m === sessions[0])).toHaveLength(2);
    expect(placed.filter((m) => m === sessions[1])).toHaveLength(3);
    const full = await send(id, CAPPED[5]!, 'capped hello');
    expect(full.status).toBe(409);
    expect(JSON.stringify(full.body)).toContain('no_member_available');
    // A contact who already has its number keeps being served: the cap is on new contacts.
    expect((await send(id, CAPPED[0]!, 'capped again')).body.sessionId).toBe(placed[0]);
    const stats = await pool(id);
    expect(stats.members.map((m) => [m.stats.newContactsToday, m.stats.allowanceToday])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    // The same Idempotency-Key in another pool is another request.
    const elsewhere = await send(id, CAPPED[1]!, 'once', { 'idempotency-key': 'pool-retry-1' });
    expect(elsewhere.status).toBe(202);
    await Promise.all(CAPPED.slice(0, 5).map((c) => arrived(c, 'capped hello')));
  });

  it('failover worker: a dropped member’s queued messages leave after the grace with no send; a 463 failure is re-sent', async () => {
    const sim = product.simulator!;
    const [dropping, other] = [sessions[0]!, sessions[2]!];
    const account = accountOf.get(dropping)!;
    const stored = async (id: string) =>
      (await api.get<Stored>(`/v1/sessions/${dropping}/messages/${id}`)).body;
    // Alone in the pool when its contacts are first sent to: they all start on `dropping`; then `other` joins.
    const created = await api.post<PoolBody>('/v1/pools', {
      name: 'grace',
      members: [{ sessionId: dropping }],
      policy: { disconnectedGraceSeconds: 10 },
    });
    const id = created.body.id;
    for (const c of [...GRACE, REACHED_OUT]) {
      expect((await send(id, c, 'grace hello')).body.sessionId).toBe(dropping);
      await arrived(c, 'grace hello');
    }
    const both = [{ sessionId: dropping }, { sessionId: other }];
    expect((await api.patch(`/v1/pools/${id}`, { members: both })).status).toBe(200);

    // It drops and cannot log back in; sends within the grace wait queued on it; then no pool send comes at all.
    sim.injectFault({ type: 'refuse-logins', durationMs: 120_000, reason: 503, phone: account });
    sim.injectFault({ type: 'drop', phone: account });
    await eventually('down', async () =>
      (await status(dropping)).status !== 'connected' ? true : undefined,
    );
    const queued = await Promise.all(GRACE.map((c) => send(id, c, 'grace queued')));
    expect(queued.map((r) => r.body.sessionId)).toEqual(GRACE.map(() => dropping));
    // The worker moves them once the grace is over: they arrive from the other member.
    await Promise.all(GRACE.map((c) => arrived(c, 'grace queued')));
    for (const c of GRACE)
      expect(inbox(c).find((e) => e.text === 'grace queued')?.from).toBe(accountOf.get(other));
    for (const r of queued)
      expect(await stored(r.body.id)).toMatchObject({
        error: { code: 'rerouted' },
        reroutedTo: { sessionId: other },
      });

    // It comes back. Its next send to a contact it holds gets WhatsApp's 463 before anyone knows of a lock: the
    // message fails `reachout_timelocked` and, the member being healthy, stays where it is.
    sim.clearFaults();
    await eventually(
      'back',
      async () => ((await status(dropping)).status === 'connected' ? true : undefined),
      90_000,
    );
    sim.injectFault({ type: 'ack-error', code: 463, phone: account, count: 1 });
    const locked = await send(id, REACHED_OUT, 'locked hello');
    expect(locked.body.sessionId).toBe(dropping);
    await eventually('failed timelocked', async () =>
      (await stored(locked.body.id)).error?.code === 'reachout_timelocked' ? true : undefined,
    );
    // Then WhatsApp announces the lock: the worker re-sends that failure through the other member.
    sim.setReachoutTimelock(account, { active: true, until: Math.floor(Date.now() / 1000) + 3600 });
    await arrived(REACHED_OUT, 'locked hello');
    expect(inbox(REACHED_OUT).find((e) => e.text === 'locked hello')?.from).toBe(accountOf.get(other));
    expect(await stored(locked.body.id)).toMatchObject({
      status: 'failed',
      error: { code: 'reachout_timelocked' },
      reroutedTo: { sessionId: other },
    });
    const counted = await eventually('the failure and the restricted period counted', async () => {
      const m = (await pool(id)).members.find((x) => x.sessionId === dropping);
      return m && m.stats.failed >= 1 && m.stats.restrictedPeriods === 1 ? m : undefined;
    });
    expect(counted.stats.failed).toBe(1);

    // The lock lifts (the next case needs the member as it was); every text arrived exactly once.
    sim.setReachoutTimelock(account, { active: false });
    await eventually('lifted', async () => ((await status(dropping)).restriction ? undefined : true));
    const once = (c: string, t: string) => expect(inbox(c).filter((e) => e.text === t)).toHaveLength(1);
    for (const c of GRACE) for (const t of ['grace hello', 'grace queued']) once(c, t);
    for (const t of ['grace hello', 'locked hello']) once(REACHED_OUT, t);
  }, 180_000);

  it('moves a logged-out member’s contacts and its queued messages on the next send, nothing lost or doubled', async () => {
    const sim = product.simulator!;
    const gone = sessions[0]!;
    const account = accountOf.get(gone)!;
    const moved = CONTACTS.filter((c) => firstMember.get(c) === gone);
    expect(moved).toHaveLength(10);
    // The member drops and cannot log back in: down, within the grace, so its contacts' sends wait queued on it.
    sim.injectFault({ type: 'refuse-logins', durationMs: 60_000, reason: 503, phone: account });
    sim.injectFault({ type: 'drop', phone: account });
    await eventually('down', async () => ((await status(gone)).status !== 'connected' ? true : undefined));
    const burst = await Promise.all(moved.map((c) => send(poolId, c, 'burst')));
    expect(burst.map((r) => r.body.sessionId)).toEqual(Array(10).fill(gone));
    // Then the phone unlinks it: its next login is refused for good (401), it is logged out with 10 queued.
    await sim.unlink(account);
    sim.clearFaults();
    await eventually(
      'logged out',
      async () => ((await status(gone)).status === 'logged_out' ? true : undefined),
      60_000,
    );

    const third = await round(CONTACTS, 'round 3');
    await Promise.all(moved.map((c) => arrived(c, 'burst')));
    for (const r of burst) {
      const original = await api.get<{
        status: string;
        error?: { code: string };
        reroutedTo?: { sessionId: string };
      }>(`/v1/sessions/${gone}/messages/${r.body.id}`);
      expect(original.body).toMatchObject({ status: 'failed', error: { code: 'rerouted' } });
      expect(original.body.reroutedTo?.sessionId).not.toBe(gone);
    }
    for (const c of CONTACTS) {
      if (firstMember.get(c) === gone) expect(third.get(c)).not.toBe(gone);
      else expect(third.get(c)).toBe(firstMember.get(c));
      const texts = inbox(c).map((e) => e.text);
      for (const t of ['round 1', 'round 2', 'round 3']) expect(texts.filter((x) => x === t)).toHaveLength(1);
      expect(texts.filter((x) => x === 'burst')).toHaveLength(firstMember.get(c) === gone ? 1 : 0);
    }
    const history = await api.get<ContactBody>(
      `/v1/pools/${poolId}/contacts/${encodeURIComponent(moved[0]!)}`,
    );
    expect(history.body.history).toEqual([
      expect.objectContaining({ sessionId: gone, reason: 'logged_out' }),
    ]);
    const events = await eventually('ten pool.reassigned webhooks', async () => {
      const e = reassigned().filter((x) => x.data.from === gone && x.data.poolId === poolId);
      return e.length >= 10 ? e : undefined;
    });
    expect(new Set(events.map((e) => e.data.contact))).toEqual(new Set(moved));
    expect((await pool(poolId)).members[0]).toMatchObject({ health: 'dead', reason: 'logged_out' });
  }, 150_000);

  it('moves a timelocked (463) member’s contacts to the healthy member on their next send', async () => {
    const locked = sessions[1]!;
    const until = Math.floor(Date.now() / 1000) + 3600;
    product.simulator!.setReachoutTimelock(accountOf.get(locked)!, { active: true, until });
    await eventually('restricted', async () =>
      (await status(locked)).restriction?.active ? true : undefined,
    );
    const fourth = await round(CONTACTS, 'round 4');
    for (const c of CONTACTS) {
      expect(fourth.get(c)).toBe(sessions[2]);
      const texts = inbox(c).map((e) => e.text);
      for (const t of ['round 1', 'round 2', 'round 3', 'round 4'])
        expect(texts.filter((x) => x === t)).toHaveLength(1);
    }
    const onLocked = CONTACTS.filter((c) => firstMember.get(c) === locked);
    const history = await api.get<ContactBody>(
      `/v1/pools/${poolId}/contacts/${encodeURIComponent(onLocked[0]!)}`,
    );
    expect(history.body.history).toEqual([
      expect.objectContaining({ sessionId: locked, reason: 'restricted' }),
    ]);
    const stats = await eventually('the restricted period counted', async () => {
      const body = await pool(poolId);
      return body.members[1]!.stats.restrictedPeriods === 1 ? body : undefined;
    });
    expect(stats.members.map((m) => m.health)).toEqual(['dead', 'dead', 'healthy']);
    // Moves keep the count: the thirty, the raced contact and the retried one.
    expect(stats.totals.contactsAssigned).toBe(32);
    expect(stats.members[2]!.stats.contactsAssigned).toBeGreaterThanOrEqual(30);
  }, 120_000);
});
