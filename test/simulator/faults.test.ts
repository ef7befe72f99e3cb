import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { AuthenticationState, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import {
  closeCode,
  connect,
  endAll,
  eventually,
  memoryAuth,
  nextEvent,
  nextSimEvent,
  opened,
  sleep,
  trackStatuses,
} from './helpers.js';

const ME = '15553330001';
const BOB = '15553330002';
const BOB_JID = `${BOB}@s.whatsapp.net`;

describe('injected faults surface as the errors Baileys reports', () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  let untrust: () => void;
  let auth: AuthenticationState;
  let sock: WASocket;

  const reconnect = async (): Promise<void> => {
    sock = connect(sim, auth);
    sockets.push(sock);
    await opened(sock);
  };

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(BOB, 'Bob');
    auth = memoryAuth(await provisionLinkedDevice(sim, ME));
    await reconnect();
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  it('a provisioned device logs in with no QR and no prekey upload', () => {
    expect(sock.user?.id).toBe(`${ME}:1@s.whatsapp.net`);
    expect(sim.getAccount(ME)?.devices).toEqual([expect.objectContaining({ id: 1, online: true })]);
  });

  it('ack error: the server rejects a send, Baileys marks the message ERROR with the code', async () => {
    sim.injectFault({ type: 'ack-error', code: 479, phone: ME });
    const statuses = trackStatuses(sock);
    const ack = nextSimEvent<[{ id: string; error?: number }]>(sim.events, 'message-ack');
    const sent = await sock.sendMessage(BOB_JID, { text: 'this one bounces' });
    const id = sent?.key.id ?? '';
    const error = await eventually(
      () => statuses.get(id)?.find((s) => s.status === proto.WebMessageInfo.Status.ERROR),
      10_000,
      'ERROR status',
    );
    expect(error.stubParameters).toEqual(['479']);
    expect((await ack)[0]).toMatchObject({ id: sent?.key.id, error: 479 });
    expect(sim.inbox(BOB)).toEqual([]);

    // The fault was for one message only.
    const got = nextSimEvent<[{ entry: { text?: string } }]>(sim.events, 'message');
    await sock.sendMessage(BOB_JID, { text: 'this one arrives' });
    expect((await got)[0].entry.text).toBe('this one arrives');
  });

  it('delay: frames to the client arrive late but in order', async () => {
    const { id } = sim.injectFault({ type: 'delay', ms: 400, phone: ME, durationMs: 3000 });
    expect(sim.listFaults().map((f) => f.id)).toContain(id);
    const upsert = nextEvent(sock, 'messages.upsert', (u) =>
      u.messages.some((m) => m.message?.conversation === 'slow 2'),
    );
    const seen: string[] = [];
    sock.ev.on('messages.upsert', (u) =>
      u.messages.forEach((m) => m.message?.conversation && seen.push(m.message.conversation)),
    );
    const started = Date.now();
    await sim.contactSend(BOB, ME, 'slow 1');
    await sim.contactSend(BOB, ME, 'slow 2');
    await upsert;
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(seen).toEqual(['slow 1', 'slow 2']);
    sim.clearFaults();
    expect(sim.listFaults()).toEqual([]);
  });

  it('drop: the socket is cut without a goodbye (Baileys: 428) and the device reconnects', async () => {
    const closed = closeCode(sock);
    expect(sim.injectFault({ type: 'drop', phone: ME })).toEqual({ dropped: 1 });
    expect(await closed).toBe(428);
    await reconnect();
  });

  it('refuse-logins: logins fail with the given reason for a while, then succeed', async () => {
    sim.injectFault({ type: 'refuse-logins', durationMs: 1000, reason: 503, phone: ME });
    const closed = closeCode(sock);
    sim.injectFault({ type: 'drop', phone: ME });
    expect(await closed).toBe(428);
    const refused = nextSimEvent<[{ reason: number }]>(sim.events, 'login-refused');
    const attempt = connect(sim, auth);
    sockets.push(attempt);
    expect(await closeCode(attempt)).toBe(503);
    expect((await refused)[0].reason).toBe(503);
    await sleep(1100);
    await reconnect();
  });
});
