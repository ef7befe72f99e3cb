import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisconnectReason } from '@whiskeysockets/baileys';
import type { WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { closeCode, connect, endAll, memoryAuth, nextSimEvent, opened } from './helpers.js';

const ME = '15553360001';

describe("today's server ends a stream with <stream:error><ack/>: stock rc14 calls it a bad session", () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  const socks: WASocket[] = [];

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
  });

  afterAll(async () => {
    endAll(socks);
    await sim.stop();
    untrust();
  });

  it('rc14 closes with 500 (badSession), though the device is still linked and logs in again', async () => {
    const auth = memoryAuth(await provisionLinkedDevice(sim, ME));
    const sock = connect(sim, auth);
    socks.push(sock);
    await opened(sock);

    const closed = closeCode(sock);
    const ended = nextSimEvent<[{ ackId: string }]>(sim.events, 'stream-error-ack');
    const res = await fetch(`${sim.controlUrl}/accounts/${ME}/stream-ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await res.json()).toEqual({ ended: [1] });
    expect((await ended)[0].ackId).toMatch(/^3EB0/);
    expect(await closed).toBe(DisconnectReason.badSession);

    const again = connect(sim, auth);
    socks.push(again);
    await opened(again);
    expect(sim.getAccount(ME)?.devices).toMatchObject([{ id: 1, online: true }]);
  });
});
