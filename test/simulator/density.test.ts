import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, memoryAuth, nextEvent, opened, sleep } from './helpers.js';

const CLIENTS = 200;
const BATCH = 25;
const phoneOf = (i: number): string => `1666${String(i).padStart(7, '0')}`;

/**
 * The session-density benchmark needs one simulator to hold 200 live Baileys sockets. Devices are provisioned
 * from fresh creds instead of QR-paired: pairing is CPU-bound (prekey generation) and 200 of them would not fit a
 * 2-core test budget; the login path is the same one a restarted host takes.
 */
describe(`${CLIENTS} Baileys clients connected to one simulator`, () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  const closes: number[] = [];
  let untrust: () => void;

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact('16660999999', 'Dana');
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  it('all log in with saved creds, stay up across keep-alive pings, and still receive messages', async () => {
    const started = Date.now();
    for (let from = 0; from < CLIENTS; from += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, CLIENTS - from) }, async (_, k) => {
          const creds = await provisionLinkedDevice(sim, phoneOf(from + k));
          // Short keep-alive so the wait below covers a few ping rounds; not shorter, or a test file running beside
          // this one on the other core can starve 200 sockets' pings past Baileys' close-on-silence.
          const sock = connect(sim, memoryAuth(creds), {
            keepAliveIntervalMs: 3000,
            markOnlineOnConnect: false,
          });
          sock.ev.on('connection.update', (u) => {
            if (u.connection === 'close') closes.push(from + k);
          });
          sockets.push(sock);
          await opened(sock, 60_000);
          return sock;
        }),
      );
      expect(batch).toHaveLength(Math.min(BATCH, CLIENTS - from));
    }
    const loginMs = Date.now() - started;
    expect(sim.connectionCount).toBe(CLIENTS);

    await sleep(7000);
    expect(closes).toEqual([]);
    expect(sim.connectionCount).toBe(CLIENTS);
    for (let i = 0; i < CLIENTS; i++) expect(sim.getAccount(phoneOf(i))?.devices[0]?.online).toBe(true);

    const sample = [0, 57, 123, CLIENTS - 1];
    const received = sample.map((i) =>
      nextEvent(sockets[i]!, 'messages.upsert', (u) =>
        u.messages.some((m) => m.message?.conversation === `ping ${i}`),
      ),
    );
    for (const i of sample) await sim.contactSend('16660999999', phoneOf(i), `ping ${i}`);
    await Promise.all(received);
    // A figure for the benchmark folks, not an assertion.
    process.stderr.write(`${JSON.stringify({ clients: CLIENTS, loginMs })}\n`);
  }, 180_000);
});
