/**
 * Stock Baileys 7.0.0-rc14 (no `getMessage`) against a contact's phone that cannot decrypt its message. Today's
 * server relays the phone's retry receipt from the contact's LID, which misses rc14's in-memory store (keyed by
 * the phone-number jid it sent to): the message is never resent. On the early-2026 server (receipts from the
 * phone number) the same store answers within its 5 minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, memoryAuth, nextSimEvent, opened, retryReceiptAcks } from './helpers.js';

const ME = '15553450001';
const BOB = '15553450002';
const BOB_JID = `${BOB}@s.whatsapp.net`;

describe('retry receipts with stock rc14', () => {
  const sim = new WhatsAppSimulator();
  let sock: WASocket;
  let untrust: () => void;
  const resends: string[] = [];

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(BOB, 'Bob');
    sim.events.on('retry-resend', ({ id }) => resends.push(id));
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    await opened(sock);
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it("today's server (receipt from the contact's LID): no resend for count 1 nor count 2 with keys", async () => {
    // Over the control API, as a test outside the process would.
    const armed = await fetch(`${sim.controlUrl}/contacts/${BOB}/fail-decrypt`, {
      method: 'POST',
      body: JSON.stringify({ from: ME, count: 1, resendTimeoutMs: 300 }),
    });
    expect(armed.status).toBe(201);
    expect(await armed.json()).toEqual({ contact: BOB, account: ME, remaining: 1 });
    const second = nextSimEvent<[{ count: number; from: string; withKeys: boolean }]>(
      sim.events,
      'retry-receipt',
      (r) => r.count === 2,
    );
    const id = '3EB0A1A1A1A1A1A1A1A1A1';
    const acked = retryReceiptAcks(sim, id, 2);
    await sock.sendMessage(BOB_JID, { text: 'lost on the LID' }, { messageId: id });
    const [receipt] = await second;
    expect(receipt).toMatchObject({ from: sim.getContact(BOB)!.lid, withKeys: true });
    await acked;

    expect(resends).not.toContain(id);
    expect(sim.inbox(BOB).map((e) => e.id)).not.toContain(id);
  });

  it('early-2026 server (receipt from the phone number): rc14 resends from its 5-minute store', async () => {
    sim.setLegacy(['no-lid-retry-receipts']);
    try {
      sim.failDecryption(BOB, { from: ME, count: 1, resendTimeoutMs: 5_000 });
      const id = '3EB0B2B2B2B2B2B2B2B2B2';
      const resent = nextSimEvent<[{ id: string; retryCount: number }]>(
        sim.events,
        'retry-resend',
        (r) => r.id === id,
      );
      const delivered = nextSimEvent<[{ entry: { id: string; text?: string } }]>(
        sim.events,
        'message',
        (m) => m.entry.id === id,
      );
      await sock.sendMessage(BOB_JID, { text: 'resent by phone number' }, { messageId: id });
      expect((await resent)[0].retryCount).toBe(1);
      expect((await delivered)[0].entry.text).toBe('resent by phone number');
    } finally {
      sim.setLegacy([]);
    }
  });
});
