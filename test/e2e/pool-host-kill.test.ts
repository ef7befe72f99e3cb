/**
 * A host SIGKILLed during a pool burst loses nothing (issue #17): the whole local product with two session host
 * processes, a pool of two sessions linked by QR through the API (one on each host), a burst of pool sends to
 * sixteen contacts, and the host running one member killed after a few of the burst's deliveries. The other host takes its sessions over
 * without a QR (so they are not dead to the pool: their contacts keep their number), drains what is left, and
 * every message reaches its contact exactly once, in order, shown `sent` (or later) by the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../local/log.js';
import { type RunningHost, type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { waMessageIdFor } from '../../session-host/messaging/index.js';
import { FAST_HOST_ENV } from '../component/session-host/support.js';
import { type ApiClient, eventually } from '../support/api-client.js';
import { createTenant, linkSessions } from '../support/link-sessions.js';

const ACCOUNTS = ['+15551760001', '+15551760002'];
const CONTACTS = Array.from({ length: 16 }, (_, i) => `+1555177${String(i).padStart(4, '0')}`);
/** Burst messages per contact: 32 in all, about 16 per member. */
const PER_CONTACT = 2;
/** The victim dies after this many burst deliveries from the numbers it runs. */
const KILL_AFTER = 3;
const digits = (e164: string): string => e164.slice(1);
const DONE = new Set(['sent', 'delivered', 'read']);

interface Sent {
  id: string;
  poolId: string;
  sessionId: string;
}
interface SessionBody {
  status: string;
  runsOn?: { hostId: string };
}

describe('end to end: a host SIGKILLed during a pool burst', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let sessions: string[];
  let accountOf: Map<string, string>;
  let poolId: string;

  const send = (to: string, body: string) =>
    api.post<Sent>(`/v1/pools/${poolId}/messages`, { to, type: 'text', text: { body } });
  const session = async (id: string) => (await api.get<SessionBody>(`/v1/sessions/${id}`)).body;
  /** The texts on the contact's phone, with the account that sent each. */
  const inbox = (contact: string) =>
    product.simulator!.inbox(digits(contact)).map((e) => ({ text: e.text, from: e.from.split(/[:@]/)[0] }));

  beforeAll(async () => {
    product = await startLocalProduct({
      simulator: true,
      hosts: 0,
      stackFile: false,
      seedTenant: false,
      log: silentLog,
      // Short leases so the survivor takes over in seconds; paced sends so the kill lands mid-burst.
      hostEnv: { ...FAST_HOST_ENV, APP_SEND_MIN_GAP_MS: '250', APP_SEND_JITTER_MS: '0' },
      hostOutput: process.env.E2E_HOST_LOGS ? 'inherit' : 'ignore',
    });
    api = await createTenant(product, 'pool burst');
    for (const c of CONTACTS) product.simulator!.addContact(digits(c));
    // One member per host: the first host has room for one session, so the second session lands on the second
    // host. The survivor then sends its own member's share of the burst while it takes the victim's over.
    const first = product.startHost(undefined, { APP_HOST_CAPACITY: '1' });
    const one = await linkSessions(product, api, ACCOUNTS.slice(0, 1));
    const second = product.startHost();
    const two = await linkSessions(product, api, ACCOUNTS.slice(1));
    sessions = [...one.sessions, ...two.sessions];
    accountOf = new Map([...one.accountOf, ...two.accountOf]);
    expect((await session(sessions[0]!)).runsOn?.hostId).toBe(first.hostId);
    expect((await session(sessions[1]!)).runsOn?.hostId).toBe(second.hostId);
    const created = await api.post<{ id: string }>('/v1/pools', {
      name: 'burst',
      members: sessions.map((sessionId) => ({ sessionId })),
    });
    expect(created.status).toBe(201);
    poolId = created.body.id;
  }, 120_000);

  afterAll(async () => {
    await product?.stop();
  }, 60_000);

  it('every pool message reaches its contact exactly once, each contact keeps its number', async () => {
    const sim = product.simulator!;
    // First sends one by one: each sees the other's load, so the sixteen contacts split 8/8.
    const memberOf = new Map<string, string>();
    for (const c of CONTACTS) {
      const r = await send(c, 'hello');
      expect(r.status).toBe(202);
      memberOf.set(c, r.body.sessionId);
    }
    for (const id of sessions) expect([...memberOf.values()].filter((m) => m === id)).toHaveLength(8);
    await Promise.all(
      CONTACTS.map((c) => eventually(`hello on ${c}`, async () => inbox(c).find((e) => e.text === 'hello'))),
    );

    // The victim: the host running the first member.
    const owner = (await session(sessions[0]!)).runsOn?.hostId;
    const victim = product.hosts.find((h) => h.hostId === owner);
    if (!victim) throw new Error(`no running host runs ${sessions[0]} (runsOn ${owner})`);
    const survivor = product.hosts.find((h) => h !== victim) as RunningHost;
    const onVictim: string[] = [];
    for (const id of sessions) if ((await session(id)).runsOn?.hostId === victim.hostId) onVictim.push(id);
    const victimAccounts = new Set(onVictim.map((id) => accountOf.get(id)!));

    // Listening before the burst is queued, so every delivery is counted.
    let fromVictim = 0;
    let killing: Promise<void> | undefined;
    const duplicates: string[] = [];
    sim.events.on('message', ({ entry }) => {
      if (!entry.text?.startsWith('burst') || !victimAccounts.has(entry.from.split(/[:@]/)[0]!)) return;
      fromVictim += 1;
      if (fromVictim === KILL_AFTER) killing = product.stopHost(victim, 'SIGKILL');
    });
    sim.events.on('message-duplicate', ({ id }) => duplicates.push(id));

    // The burst: contacts at once, each contact's messages in order (so their order on the phone is defined).
    const burst = await Promise.all(
      CONTACTS.map(async (c) => {
        const sent: Sent[] = [];
        for (let i = 0; i < PER_CONTACT; i++) {
          const r = await send(c, `burst ${i} to ${c}`);
          expect(r.status).toBe(202);
          sent.push(r.body);
        }
        return sent;
      }),
    );
    // Sticky through the burst: every send went to the contact's member.
    CONTACTS.forEach((c, i) => {
      for (const s of burst[i]!) expect(s.sessionId).toBe(memberOf.get(c));
    });

    await eventually('the victim killed mid-burst', async () => (killing ? true : undefined), 60_000);
    await killing;
    const atKill = fromVictim;
    const victimBurst = CONTACTS.filter((c) => onVictim.includes(memberOf.get(c)!)).length * PER_CONTACT;
    // The kill landed mid-burst: some of the victim's messages were still to go.
    expect(onVictim).toEqual([sessions[0]]);
    expect(atKill).toBeLessThan(victimBurst);

    // The survivor takes the victim's sessions over without a QR.
    for (const id of onVictim) {
      await eventually(
        `${id} connected on the survivor`,
        async () => {
          const s = await session(id);
          return s.status === 'connected' && s.runsOn?.hostId === survivor.hostId ? true : undefined;
        },
        60_000,
      );
    }

    // Every burst message is sent (or further), exactly once on its contact's phone, in order.
    const all = CONTACTS.flatMap((c, i) => burst[i]!.map((s) => ({ contact: c, ...s })));
    await eventually(
      'every burst message sent',
      async () => {
        const statuses = await Promise.all(
          all.map(
            async (m) =>
              (await api.get<{ status: string }>(`/v1/sessions/${m.sessionId}/messages/${m.id}`)).body.status,
          ),
        );
        return statuses.every((s) => DONE.has(s)) ? true : undefined;
      },
      60_000,
    );
    for (const c of CONTACTS) {
      const expected = ['hello', ...Array.from({ length: PER_CONTACT }, (_, i) => `burst ${i} to ${c}`)];
      await eventually(`the burst on ${c}`, async () =>
        inbox(c).length >= expected.length ? true : undefined,
      );
      expect(inbox(c).map((e) => e.text)).toEqual(expected);
      // One number per contact, its member's.
      expect(new Set(inbox(c).map((e) => e.from))).toEqual(new Set([accountOf.get(memberOf.get(c)!)]));
    }

    // After the takeover, the contacts still stick to their number: not moved, no history.
    for (const c of CONTACTS) {
      const r = await send(c, 'after the kill');
      expect(r.status).toBe(202);
      expect(r.body.sessionId).toBe(memberOf.get(c));
    }
    await Promise.all(
      CONTACTS.map((c) =>
        eventually(`after the kill on ${c}`, async () => inbox(c).find((e) => e.text === 'after the kill')),
      ),
    );
    for (const c of CONTACTS) {
      const assigned = await api.get<{ sessionId: string; history: unknown[] }>(
        `/v1/pools/${poolId}/contacts/${encodeURIComponent(c)}`,
      );
      expect(assigned.body).toMatchObject({ sessionId: memberOf.get(c), history: [] });
      expect(inbox(c).filter((e) => e.text === 'after the kill')).toHaveLength(1);
    }
    // Resends under the same WhatsApp id are possible (a send in flight at the kill); the phones dropped them.
    const ours = new Set(all.map((m) => waMessageIdFor(m.id)));
    expect(duplicates.every((id) => ours.has(id))).toBe(true);
    process.stderr.write(
      `${JSON.stringify({ burst: all.length, victimBurst, fromVictimAtKill: atKill, resendsDropped: duplicates.length, onVictim: onVictim.length })}\n`,
    );
  }, 150_000);
});
