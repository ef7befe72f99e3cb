/**
 * Dossier item 1: today's server answers the first QR scan with `companion_reg_refresh`. Stock Baileys rc14 has no
 * handler (and its ack throws before login), so it can no longer pair by QR; with the early-2026 behaviour
 * (legacy switch) it pairs at once; with the session host's hook it pairs through the refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import type { QrScanView, StanzaEvent } from '../../simulator/index.js';
import {
  closeCode,
  connect,
  endAll,
  linkWithQr,
  memoryAuth,
  nextEvent,
  nextSimEvent,
  opened,
} from './helpers.js';

type RefreshEvent = [{ connectionId: number; ref: string; acked: boolean }];
const refOf = (qr: string): string => qr.slice(qr.lastIndexOf('#') + 1).split(',')[0] ?? '';
const secretOf = (qr: string): string => qr.split(',')[3] ?? '';

describe('companion_reg_refresh during QR pairing', () => {
  const sim = new WhatsAppSimulator({ qrRefs: 2 });
  const sockets: WASocket[] = [];
  let untrust: () => void;

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  it('stock rc14 cannot pair: no ack, a rescan is qr_stale, no pair-success, the refs run out (408)', async () => {
    const phone = '15557770001';
    const sock = connect(sim, memoryAuth(), { qrTimeout: 1_500 });
    sockets.push(sock);
    const qrs: string[] = [];
    sock.ev.on('connection.update', (u) => u.qr && qrs.push(u.qr));
    const closed = closeCode(sock, 15_000);
    const first = (await nextEvent(sock, 'connection.update', (u) => !!u.qr)).qr!;
    const refresh = nextSimEvent<RefreshEvent>(sim.events, 'companion-reg-refresh', () => true, 8_000);
    const problem = nextSimEvent(sim.events, 'problem', () => true, 8_000);
    expect(await sim.scanQr(first, phone)).toEqual({ outcome: 'refreshed', ref: refOf(first) });
    // rc14 keeps drawing QRs with the secret the server just retired.
    const second = (await nextEvent(sock, 'connection.update', (u) => !!u.qr)).qr!;
    expect(secretOf(second)).toBe(secretOf(first));
    await expect(sim.scanQr(second, phone)).rejects.toMatchObject({ status: 409, code: 'qr_stale' });
    expect(await closed).toBe(408);
    expect((await refresh)[0]).toMatchObject({ ref: refOf(first), acked: false });
    await problem;
    expect(sim.getAccount(phone)?.devices ?? []).toEqual([]);
  }, 20_000);

  it('stock rc14 pairs at once on the early-2026 server (legacy no-companion-reg-refresh)', async () => {
    sim.setLegacy(['no-companion-reg-refresh']);
    try {
      const phone = '15557770002';
      const auth = memoryAuth();
      const sock = connect(sim, auth);
      sockets.push(sock);
      const restart = closeCode(sock);
      const qr = (await nextEvent(sock, 'connection.update', (u) => !!u.qr)).qr!;
      const scan = await sim.scanQr(qr, phone);
      expect(scan).toMatchObject({ outcome: 'paired', jid: `${phone}:1@s.whatsapp.net` });
      expect(await restart).toBe(515);
      const again = connect(sim, auth);
      sockets.push(again);
      await opened(again);
    } finally {
      sim.setLegacy([]);
    }
  });

  it("with the host's hook: acked, same ref re-drawn with a new secret, pair-success HMAC'd with it", async () => {
    const phone = '15557770003';
    sim.setQrRefreshChild('pair-device-rotate-qr');
    const auth = memoryAuth();
    const initialSecret = auth.creds.advSecretKey;
    const scans: QrScanView[] = [];
    const notifications: StanzaEvent[] = [];
    const acks: StanzaEvent[] = [];
    const watch = (e: StanzaEvent): void => {
      if (e.node.attrs.type !== 'companion_reg_refresh') return;
      (e.direction === 'out' ? notifications : acks).push(e);
    };
    sim.events.on('stanza', watch);
    const refresh = nextSimEvent<RefreshEvent>(sim.events, 'companion-reg-refresh');
    try {
      const { sock, qrs } = await linkWithQr(sim, auth, async (qr) =>
        scans.push(await sim.scanQr(qr, phone)),
      );
      sockets.push(sock);
      expect(scans.map((s) => s.outcome)).toEqual(['refreshed', 'paired']);
      // The refresh used up no ref: the re-drawn QR is the same ref, with the rotated secret.
      expect(qrs).toHaveLength(2);
      expect(refOf(qrs[1]!)).toBe(refOf(qrs[0]!));
      expect(secretOf(qrs[0]!)).toBe(initialSecret);
      expect(secretOf(qrs[1]!)).toBe(auth.creds.advSecretKey);
      expect(auth.creds.advSecretKey).not.toBe(initialSecret);
      expect(Buffer.from(auth.creds.advSecretKey, 'base64')).toHaveLength(32);
      expect((await refresh)[0]).toMatchObject({ ref: refOf(qrs[0]!), acked: true });
      expect(notifications[0]?.node.content).toEqual([{ tag: 'pair-device-rotate-qr', attrs: {} }]);
      expect(acks[0]?.node.attrs).toMatchObject({
        class: 'notification',
        id: notifications[0]?.node.attrs.id,
      });
      expect(sock.user?.id).toBe(`${phone}:1@s.whatsapp.net`);
    } finally {
      sim.events.off('stanza', watch);
      sim.setQrRefreshChild('companion_reg_refresh');
    }
  });
});
