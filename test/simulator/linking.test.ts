import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { SimulatorError, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import type { InboxEntry } from '../../simulator/index.js';
import {
  closeCode,
  connect,
  endAll,
  linkWithQr,
  memoryAuth,
  nextEvent,
  nextSimEvent,
  opened,
  statusCodeOf,
  withTimeout,
} from './helpers.js';

describe('linking, unlinking and replaced connections', () => {
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

  it('rotates QR refs and gives up after the configured number (Baileys: 408), expired refs cannot be scanned', async () => {
    const sock = connect(sim, memoryAuth(), { qrTimeout: 250 });
    sockets.push(sock);
    const qrs: string[] = [];
    sock.ev.on('connection.update', (u) => u.qr && qrs.push(u.qr));
    const refs = nextSimEvent<[{ refs: string[] }]>(sim.events, 'qr-refs');
    expect(await closeCode(sock, 10_000)).toBe(408);
    expect((await refs)[0].refs).toHaveLength(2);
    expect(qrs).toHaveLength(2);
    expect(new Set(qrs).size).toBe(2);
    await expect(sim.scanQr(qrs[1]!, '15550003333')).rejects.toMatchObject({
      status: 410,
      code: 'qr_expired',
    });
  });

  it('links by pairing code (link_code_companion_reg), then opens after the 515 restart', async () => {
    const phone = '15550004444';
    const auth = memoryAuth();
    let sock = connect(sim, auth);
    sockets.push(sock);
    await nextEvent(sock, 'connection.update', (u) => !!u.qr);
    const code = await sock.requestPairingCode(phone);
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const restart = closeCode(sock);
    const device = await withTimeout(sim.enterPairingCode(phone, code), 15_000, 'code entered');
    expect(device.jid).toBe(`${phone}:1@s.whatsapp.net`);
    expect(await restart).toBe(515);
    expect(auth.creds.registered).toBe(true);

    sock = connect(sim, auth);
    sockets.push(sock);
    await opened(sock);
    expect(sock.user?.id).toBe(`${phone}:1@s.whatsapp.net`);
  });

  it('rejects a wrong pairing code and links nothing', async () => {
    const phone = '15550005555';
    const sock = connect(sim, memoryAuth());
    sockets.push(sock);
    await nextEvent(sock, 'connection.update', (u) => !!u.qr);
    await sock.requestPairingCode(phone);
    await expect(sim.enterPairingCode(phone, 'ZZZZZZZZ')).rejects.toMatchObject({ code: 'wrong_code' });
    expect(sim.getAccount(phone)?.devices ?? []).toEqual([]);
    sock.end(undefined);
  });

  it('closes the older socket with 440 when a second client logs in as the same device', async () => {
    const auth = memoryAuth();
    const { sock: first } = await linkWithQr(sim, auth, (qr) => sim.scanQr(qr, '15550006666'));
    sockets.push(first);
    const firstClosed = closeCode(first);
    const replaced = nextSimEvent<[{ phone: string }]>(sim.events, 'replaced');
    const second = connect(sim, auth);
    sockets.push(second);
    await opened(second);
    expect(await firstClosed).toBe(440);
    expect((await replaced)[0].phone).toBe('15550006666');
    expect(sim.getAccount('15550006666')?.devices[0]?.online).toBe(true);
  });

  it('unlinking from the phone closes the companion with 401 and its creds stop working', async () => {
    const phone = '15550007777';
    const a1 = memoryAuth();
    const a2 = memoryAuth();
    const { sock: s1 } = await linkWithQr(sim, a1, (qr) => sim.scanQr(qr, phone));
    const { sock: s2 } = await linkWithQr(sim, a2, (qr) => sim.scanQr(qr, phone));
    sockets.push(s1, s2);
    expect(s2.user?.id).toBe(`${phone}:2@s.whatsapp.net`);
    const closed = nextEvent(s2, 'connection.update', (u) => u.connection === 'close');
    expect(await sim.unlink(phone, 2)).toEqual([2]);
    const update = await closed;
    expect(statusCodeOf(update)).toBe(401);
    expect(String(update.lastDisconnect?.error?.message)).toContain('conflict');
    expect(sim.getAccount(phone)?.devices.map((d) => d.id)).toEqual([1]);
    const retry = connect(sim, a2);
    sockets.push(retry);
    expect(await closeCode(retry)).toBe(401);
  });

  it('serves several accounts and contacts at once, each conversation kept apart', async () => {
    const accounts = ['15551110001', '15551110002'];
    const contacts = ['15552220001', '15552220002'];
    const socks = await Promise.all(
      accounts.map(
        async (phone) => (await linkWithQr(sim, memoryAuth(), (qr) => sim.scanQr(qr, phone))).sock,
      ),
    );
    sockets.push(...socks);
    for (const [i, sock] of socks.entries()) {
      for (const contact of contacts) {
        const got = nextSimEvent<[{ contact: string; entry: InboxEntry }]>(
          sim.events,
          'message',
          (e) => e.contact === contact && e.entry.from.startsWith(accounts[i]!),
        );
        await sock.sendMessage(`${contact}@s.whatsapp.net`, { text: `from ${accounts[i]} to ${contact}` });
        expect((await got)[0].entry.text).toBe(`from ${accounts[i]} to ${contact}`);
      }
    }
    for (const contact of contacts) {
      expect(
        sim
          .inbox(contact)
          .map((m) => m.text)
          .sort(),
      ).toEqual(accounts.map((a) => `from ${a} to ${contact}`).sort());
    }
    const incoming = socks.map((sock) =>
      nextEvent(sock, 'messages.upsert', (u) =>
        u.messages.some((m) => !m.key.fromMe && m.message?.conversation),
      ),
    );
    await sim.contactSend(contacts[0]!, accounts[0]!, 'only for account 0');
    await sim.contactSend(contacts[1]!, accounts[1]!, 'only for account 1');
    const [u0, u1] = await Promise.all(incoming);
    expect(u0?.messages[0]?.message?.conversation).toBe('only for account 0');
    expect(u1?.messages[0]?.message?.conversation).toBe('only for account 1');
  });

  it('scanning a QR that was never issued is a 410', async () => {
    await expect(
      sim.scanQr('https://wa.me/settings/linked_devices#nope,AAAA,BBBB,CCCC,1', '15550008888'),
    ).rejects.toBeInstanceOf(SimulatorError);
  });
});
