import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserFacingSocketConfig, WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { AuthenticationState } from '@whiskeysockets/baileys';
import {
  memoryAuthState,
  provisionLinkedDevice,
  trustSimulator,
  WhatsAppSimulator,
} from '../../simulator/index.js';
import { UNDECRYPTABLE_METRIC, watchUndecryptable } from '../../session-host/compat/lid-decrypt.js';
import { connect, delivered, endAll, eventually, nextEvent, nextSimEvent, opened } from './helpers.js';

/**
 * Dossier item 3 with STOCK Baileys rc14 (the patches are installed but off unless the socket config turns them
 * on): a contact outside the LID rollout opens the session by phone number, then is LID-addressed and carries on
 * the same ratchet; and an undecryptable status at the head of the offline queue.
 */
const ME = '15553350001';
const CAROL = '15553350002';
const DAVE = '15553350003';
const ERIN = '15553350004';

/** A control API call; resolves with the JSON body after checking the status. */
const control = async (
  sim: WhatsAppSimulator,
  path: string,
  body: unknown,
  status = 201,
): Promise<unknown> => {
  const res = await fetch(`${sim.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, path).toBe(status);
  return res.json();
};

const textOf = (m: WAMessage): string | undefined =>
  m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined;

describe('inbound after the LID migration, stock rc14 on today’s server', () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  let untrust: () => void;
  let sock: WASocket;
  let undecryptable: { count: () => number };
  const metrics = new Map<string, number>();
  const warnings: Record<string, unknown>[] = [];

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(CAROL, 'Carol');
    sim.setContactLidDisclosed(CAROL, false);
    sim.addContact(DAVE, 'Dave');
    expect(await control(sim, `/contacts/${DAVE}/lid-disclosure`, { disclosed: false }, 200)).toMatchObject({
      addressing: 'pn',
    });
    sock = connect(sim, memoryAuthState(await provisionLinkedDevice(sim, ME)));
    sockets.push(sock);
    // The host's watch on a stock socket: it must count each stub rc14 emits.
    undecryptable = watchUndecryptable(sock, {
      metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
      log: { warn: (message, fields) => warnings.push({ message, ...fields }) },
    });
    await opened(sock);
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  /** The contact writes by phone number from `device` (pkmsg); our delivery receipt settles the session. */
  const writeByPn = async (contact: string, device: number): Promise<void> => {
    const upsert = nextEvent(sock, 'messages.upsert');
    const sent = await sim.contactSendFromDevice(contact, device, ME, `by pn from ${device}`);
    const [m] = (await upsert).messages;
    expect(m?.key.id).toBe(sent.id);
    expect(textOf(m!)).toBe(`by pn from ${device}`);
    await delivered(sim, contact, sent.id);
  };

  /** The (now LID-addressed) contact writes again from `device` on the same ratchet (msg): what Baileys emits. */
  const writeByLid = async (contact: string, device: number): Promise<WAMessage> => {
    const upsert = nextEvent(sock, 'messages.upsert');
    const sent = await sim.contactSendFromDevice(contact, device, ME, `by lid from ${device}`);
    const [m] = (await upsert).messages;
    expect(m?.key.id).toBe(sent.id);
    return m!;
  };

  it('case A: a LID msg on the session held under the phone number arrives as a CIPHERTEXT stub', async () => {
    await writeByPn(CAROL, 0);
    sim.setContactAddressing(CAROL, 'lid');
    const m = await writeByLid(CAROL, 0);
    expect(m.key.remoteJid).toMatch(/@lid$/);
    expect(textOf(m)).toBeUndefined();
    expect(m.messageStubParameters?.[0]).toMatch(/No session record/);
    expect(undecryptable.count()).toBe(1);
    expect(metrics.get(UNDECRYPTABLE_METRIC)).toBe(1);
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'incoming message not decryptable', waMessageId: m.key.id }),
    ]);
  });

  it('case B: the same from a companion device :N (the LID stanza names the device, sender_pn does not)', async () => {
    // Through the control API this time, as a test outside the process would drive it.
    const { deviceId } = (await control(sim, `/contacts/${DAVE}/devices`, {})) as { deviceId: number };
    expect(
      await control(sim, `/contacts/${DAVE}/devices/7/send`, { to: ME, text: 'no such device' }, 404),
    ).toMatchObject({
      error: 'unknown_device',
    });
    // Dave's phone writes too, so a device-0 session exists as well: only the companion's own one decrypts.
    await writeByPn(DAVE, 0);
    await writeByPn(DAVE, deviceId);
    expect(await control(sim, `/contacts/${DAVE}/addressing`, { mode: 'lid' }, 200)).toMatchObject({
      addressing: 'lid',
    });
    const m = await writeByLid(DAVE, deviceId);
    expect(m.key.remoteJid).toMatch(/@lid$/);
    expect(textOf(m)).toBeUndefined();
    expect(m.messageStubParameters?.[0]).toMatch(/No session record/);
  });
});

describe('an undecryptable status at the head of the offline queue', () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  let untrust: () => void;
  let auth: AuthenticationState;

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(ERIN, 'Erin');
    auth = memoryAuthState(await provisionLinkedDevice(sim, ME));
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  /** Logs in with `auth`, collecting the texts Baileys emits until the offline marker has been processed. */
  const login = async (config: Partial<UserFacingSocketConfig> = {}) => {
    const sock = connect(sim, auth, config);
    sockets.push(sock);
    const texts: string[] = [];
    sock.ev.on('messages.upsert', (u) => {
      for (const m of u.messages) {
        const t = textOf(m);
        if (t) texts.push(t);
      }
    });
    await nextEvent(sock, 'connection.update', (u) => u.receivedPendingNotifications === true);
    return { sock, texts };
  };

  it('stock rc14 NACKs it: the server re-delivers it first on every connect and withholds what is behind it', async () => {
    const { messageId: statusId } = (await control(
      sim,
      `/accounts/${ME}/offline-queue/undecryptable-status`,
      { from: ERIN },
    )) as { messageId: string };
    const behind = [
      await sim.contactSend(ERIN, ME, 'behind the status 1'),
      await sim.contactSend(ERIN, ME, 'behind the status 2'),
    ];
    for (const attempt of [1, 2]) {
      const stall = nextSimEvent<[{ messageId: string; error: string }]>(sim.events, 'offline-stall');
      const { sock, texts } = await login();
      const [stalled] = await stall;
      expect(stalled).toMatchObject({ messageId: statusId, error: '500' });
      expect(texts, `attempt ${attempt}`).toEqual([]);
      expect(
        sim
          .outbox(ERIN)
          .filter((e) => behind.some((b) => b.id === e.id))
          .map((e) => e.status),
      ).toEqual(['sent', 'sent']);
      sock.end(undefined);
    }
  });

  it('with the legacy switch (early-2026 server) the rest flows regardless', async () => {
    sim.setLegacy(['no-offline-queue-stall']);
    try {
      const { texts } = await login();
      await eventually(() => (texts.length >= 2 ? true : undefined), 10_000, 'the queue behind the status');
      expect(texts).toEqual(['behind the status 1', 'behind the status 2']);
    } finally {
      sim.setLegacy([]);
    }
  });
});
