/**
 * Dossier item 2: today's server refuses an unknown `companion_platform_display` in an iq error that stock rc14
 * never surfaces, sends `link_code_companion_reg` without the key buffers (Linked Devices opened) and rotates the
 * code (`refresh_code`), which rc14 ignores. The host's hooks (session-host/compat/pair-code-refresh.ts) surface
 * the refusal, ack the partial notifications and ask for a new code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import {
  handlePairCodeNotifications,
  requestCheckedPairingCode,
} from '../../session-host/compat/pair-code-refresh.js';
import { trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import type { StanzaEvent } from '../../simulator/index.js';
import { closeCode, connect, endAll, memoryAuth, nextEvent, nextSimEvent, withTimeout } from './helpers.js';

const quietLog = { info: () => undefined, warn: () => undefined };
const isLinkCodeAck = (e: StanzaEvent): boolean =>
  e.direction === 'in' &&
  e.node.tag === 'ack' &&
  e.node.attrs.class === 'notification' &&
  e.node.attrs.type === 'link_code_companion_reg';

describe('pairing-code variants of today’s server', () => {
  const sim = new WhatsAppSimulator();
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

  const atQrStage = async (browser?: [string, string, string]): Promise<WASocket> => {
    const sock = connect(sim, memoryAuth(), browser ? { browser } : {});
    sockets.push(sock);
    await nextEvent(sock, 'connection.update', (u) => !!u.qr);
    return sock;
  };

  it('stock rc14 shows a code the server refused ("Chrome (Acme)"): it can never pair', async () => {
    const phone = '15558880001';
    const sock = await atQrStage(['Acme', 'Chrome', '1.0']);
    const refusal = nextSimEvent<[StanzaEvent]>(
      sim.events,
      'stanza',
      (e) => e.direction === 'out' && e.node.tag === 'iq' && e.node.attrs.type === 'error',
    );
    // rc14 makes the code locally and resolves whatever the server answers.
    expect(await sock.requestPairingCode(phone)).toMatch(/^[A-Z0-9]{8}$/);
    const [error] = await refusal;
    expect(error.node.content).toEqual([{ tag: 'error', attrs: { code: '400', text: 'bad-request' } }]);
    // The server holds no code request for the number: whatever the user types, nothing will pair.
    await expect(sim.openLinkedDevices(phone)).rejects.toMatchObject({ code: 'no_code_request' });
  });

  it('the hook turns the refusal into `rejected` instead of a dead code', async () => {
    const sock = await atQrStage(['Acme', 'Chrome', '1.0']);
    const answer = await requestCheckedPairingCode(sock, '15558880002', 5_000);
    expect(answer).toEqual({ outcome: 'rejected', detail: expect.stringContaining('400 bad-request') });
  });

  it('stock rc14 ignores refresh_code: the code it showed is refused and no new one comes', async () => {
    const phone = '15558880003';
    const sock = await atQrStage();
    const requested = nextSimEvent(sim.events, 'pairing-code-requested');
    await sock.requestPairingCode(phone);
    await requested;
    const acked = nextSimEvent<[StanzaEvent]>(sim.events, 'stanza', isLinkCodeAck);
    await sim.rotatePairingCode(phone);
    await acked; // caught Boom inside rc14, then its own ack (`me` is set by requestPairingCode)
    await expect(sim.enterPairingCode(phone, sock.authState.creds.pairingCode!)).rejects.toMatchObject({
      status: 410,
      code: 'code_rotated',
    });
  });

  it('with the hooks: empty and passkey notifications acked and reported, refresh_code answered with a new code that pairs', async () => {
    const phone = '15558880004';
    const sock = await atQrStage();
    const fresh: string[] = [];
    const passkeys: string[] = [];
    handlePairCodeNotifications(sock, {
      creds: sock.authState.creds,
      onRefreshCode: () => {
        void requestCheckedPairingCode(sock, phone, 5_000).then((a) => {
          if (a.outcome === 'accepted') fresh.push(a.code);
        });
      },
      onPasskeyRequired: () => passkeys.push(phone),
      log: quietLog,
    });
    const first = await requestCheckedPairingCode(sock, phone, 5_000);
    expect(first.outcome).toBe('accepted');

    const emptyAcked = nextSimEvent<[StanzaEvent]>(sim.events, 'stanza', isLinkCodeAck);
    await sim.openLinkedDevices(phone);
    await emptyAcked;
    expect(sock.ws.isOpen).toBe(true);
    const passkeyAcked = nextSimEvent<[StanzaEvent]>(
      sim.events,
      'stanza',
      (e) => e.direction === 'in' && e.node.tag === 'ack' && e.node.attrs.type === 'passkey_prologue_request',
    );
    await sim.requestPasskey(phone);
    await passkeyAcked;
    expect(passkeys).toEqual([phone]);

    const newHello = nextSimEvent(
      sim.events,
      'pairing-code-requested',
      (e: { phone: string }) => e.phone === phone,
    );
    await sim.rotatePairingCode(phone);
    await newHello;
    const code = await withTimeout(
      (async () => {
        while (!fresh[0]) await new Promise((r) => setTimeout(r, 20));
        return fresh[0];
      })(),
      5_000,
      'the new code',
    );
    expect(code).not.toBe(first.outcome === 'accepted' ? first.code : '');
    const hello = nextSimEvent<[StanzaEvent]>(
      sim.events,
      'stanza',
      (e) => e.direction === 'out' && e.node.attrs.type === 'link_code_companion_reg',
    );
    const restart = closeCode(sock);
    const device = await sim.enterPairingCode(phone, code);
    expect(device.jid).toBe(`${phone}:1@s.whatsapp.net`);
    const [primaryHello] = await hello;
    expect((primaryHello.node.content as { attrs: Record<string, string> }[])[0]?.attrs.stage).toBe(
      'primary_hello',
    );
    expect(await restart).toBe(515);
  });
});
