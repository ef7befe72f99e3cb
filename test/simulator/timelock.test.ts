/**
 * Today's reach-out timelock against STOCK Baileys rc14 (dossier item 4): the server refuses 1:1 sends to
 * contacts without a trust token with ack 463, and rc14 never learns why (its 463 branch only re-issues a
 * privacy token, the one that fetches the lock state is unreachable). The mex notification and the `w:mex`
 * fetch, on the other hand, reach rc14's own handlers in the shape they expect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { BaileysEventMap, BinaryNode, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import type { StanzaEvent } from '../../simulator/events.js';
import {
  connect,
  endAll,
  eventually,
  memoryAuth,
  nextEvent,
  nextSimEvent,
  opened,
  trackStatuses,
} from './helpers.js';

const ME = '15554630001';
const STRANGER = '15554630002';
const CUSTOMER = '15554630003';
const jid = (phone: string): string => `${phone}@s.whatsapp.net`;
const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

type ReachoutTimeLock = NonNullable<BaileysEventMap['connection.update']['reachoutTimeLock']>;

describe('reach-out timelock (463) with stock rc14', () => {
  const sim = new WhatsAppSimulator();
  const fromClient: BinaryNode[] = [];
  let untrust: () => void;
  let sock: WASocket;

  const mexQueries = (): BinaryNode[] =>
    fromClient.filter((n) => n.tag === 'iq' && n.attrs.xmlns === 'w:mex');

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(STRANGER);
    sim.addContact(CUSTOMER);
    sim.events.on('stanza', (e: StanzaEvent) => {
      if (e.direction === 'in' && e.phone === ME) fromClient.push(e.node);
    });
    const auth = memoryAuth(await provisionLinkedDevice(sim, ME));
    // Locked while the companion is offline: it gets no notification and must find out by itself.
    sim.setReachoutTimelock(ME, { active: true, until: inAnHour() });
    sock = connect(sim, auth);
    await opened(sock);
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it('a send to a contact that never wrote gets 463, reaches nobody, and rc14 never fetches the lock', async () => {
    const locks: ReachoutTimeLock[] = [];
    sock.ev.on('connection.update', (u) => u.reachoutTimeLock && locks.push(u.reachoutTimeLock));
    const statuses = trackStatuses(sock);
    const ack = nextSimEvent<[{ id: string; error?: number }]>(sim.events, 'message-ack');
    const sent = await sock.sendMessage(jid(STRANGER), { text: 'hello, new customer' });
    const id = sent?.key.id ?? '';
    expect((await ack)[0]).toEqual({ phone: ME, id, error: 463 });

    // rc14's handleBadAck would fetch the lock before it emits the ERROR status; once the status is here, no
    // fetch is coming.
    const error = await eventually(
      () => statuses.get(id)?.find((s) => s.status === proto.WebMessageInfo.Status.ERROR),
      10_000,
      'ERROR status',
    );
    expect(error.stubParameters?.[0]).toBe('463');
    expect(mexQueries()).toEqual([]);
    expect(locks).toEqual([]);
    expect(sim.inbox(STRANGER)).toEqual([]);
  });

  it('a contact that wrote first holds a token: the reply goes through despite the lock', async () => {
    const upsert = nextEvent(sock, 'messages.upsert', (u) =>
      u.messages.some((m) => m.message?.conversation === 'do you ship abroad?'),
    );
    await sim.contactSend(CUSTOMER, ME, 'do you ship abroad?');
    await upsert;
    const delivered = nextSimEvent<[{ contact: string; entry: { text?: string } }]>(sim.events, 'message');
    await sock.sendMessage(jid(CUSTOMER), { text: 'yes, we do' });
    expect((await delivered)[0]).toMatchObject({ contact: CUSTOMER, entry: { text: 'yes, we do' } });
  });

  it('the w:mex fetch answers what rc14 expects, and the mex notifications reach its handlers', async () => {
    const until = inAnHour();
    sim.setReachoutTimelock(ME, { active: true, until, enforcementType: 'BIZ_QUALITY' });
    const fetched = await sock.fetchAccountReachoutTimelock();
    expect(fetched).toEqual({
      isActive: true,
      timeEnforcementEnds: new Date(until * 1000),
      enforcementType: 'BIZ_QUALITY',
    });
    expect(mexQueries()).toHaveLength(1);

    const lifted = nextEvent(sock, 'connection.update', (u) => u.reachoutTimeLock?.isActive === false);
    expect(sim.setReachoutTimelock(ME, { active: false }).notified).toBe(1);
    expect((await lifted).reachoutTimeLock).toEqual({ isActive: false, enforcementType: 'DEFAULT' });

    // rc14's enum predates RESTRICT_ALL_COMPANIONS: its notification handler reports today's type as DEFAULT
    // ("no restriction"); the fetch passes the server's string through.
    const locked = nextEvent(sock, 'connection.update', (u) => u.reachoutTimeLock?.isActive === true);
    sim.setReachoutTimelock(ME, { active: true, until });
    expect((await locked).reachoutTimeLock).toEqual({
      isActive: true,
      timeEnforcementEnds: new Date(until * 1000),
      enforcementType: 'DEFAULT',
    });
    expect((await sock.fetchAccountReachoutTimelock()).enforcementType).toBe('RESTRICT_ALL_COMPANIONS');

    const capping = nextEvent(sock, 'message-capping.update');
    const cycleEnd = inAnHour();
    sim.pushMessageCapping(ME, {
      cappingStatus: 'CAPPED',
      usedQuota: 50,
      totalQuota: 50,
      cycleEndTimestamp: cycleEnd,
    });
    expect(await capping).toEqual({
      capping_status: 'CAPPED',
      used_quota: 50,
      total_quota: 50,
      cycle_end_timestamp: String(cycleEnd),
    });
  });

  it('on the early-2026 server (legacy no-timelock) the same send is delivered', async () => {
    sim.setLegacy(['no-timelock']);
    try {
      const delivered = nextSimEvent<[{ contact: string; entry: { text?: string } }]>(sim.events, 'message');
      await sock.sendMessage(jid(STRANGER), { text: 'hello again' });
      expect((await delivered)[0]).toMatchObject({ contact: STRANGER, entry: { text: 'hello again' } });
    } finally {
      sim.setLegacy([]);
    }
  });
});
