import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { AuthenticationState, WASocket } from '@whiskeysockets/baileys';
import { briefNode, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import type { InboxEntry } from '../../simulator/index.js';
import {
  closeCode,
  connect,
  endAll,
  eventually,
  linkWithQr,
  memoryAuth,
  nextEvent,
  nextSimEvent,
  opened,
  sleep,
  trackStatuses,
} from './helpers.js';

const ME = '15550001111';
const ALICE = '15550002222';
const ALICE_JID = `${ALICE}@s.whatsapp.net`;
const Status = proto.WebMessageInfo.Status;

describe('main flows: real Baileys against the in-process simulator', () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  let untrust: () => void;
  let auth: AuthenticationState;
  let sock: WASocket;
  const unhandled: string[] = [];

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(ALICE, 'Alice');
    sim.events.on('unhandled-iq', ({ node }) => unhandled.push(briefNode(node)));
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  it('links by QR: QR emitted and scanned, 515 restart, open, history bootstrap ends the initial sync', async () => {
    auth = memoryAuth();
    const paired = nextSimEvent<[{ phone: string; deviceId: number; method: string }]>(sim.events, 'paired');
    const linked = await linkWithQr(sim, auth, (qr) => sim.scanQr(qr, ME));
    sock = linked.sock;
    sockets.push(sock);
    expect(linked.qrs.length).toBeGreaterThanOrEqual(1);
    expect(linked.qrs[0]).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    expect(linked.closeCodes).toEqual([515]);
    const [p] = await paired;
    expect(p).toMatchObject({ phone: ME, deviceId: 1, method: 'qr' });
    expect(sock.user?.id).toBe(`${ME}:1@s.whatsapp.net`);
    expect(sock.user?.lid).toMatch(/^\d+:1@lid$/);
    await eventually(
      () => ((auth.creds.accountSyncCounter ?? 0) > 0 ? true : undefined),
      10_000,
      'initial sync',
    );
    expect(sim.getAccount(ME)?.devices).toEqual([expect.objectContaining({ id: 1, online: true })]);
  });

  it('sends a text that the contact decrypts, then reaches delivered and read', async () => {
    const statuses = trackStatuses(sock);
    const received = nextSimEvent<[{ contact: string; entry: InboxEntry }]>(sim.events, 'message');
    const sent = await sock.sendMessage(ALICE_JID, { text: 'hello from baileys' });
    const id = sent?.key.id ?? '';
    const has = (status: number): true | undefined =>
      statuses.get(id)?.some((s) => s.status === status) ? true : undefined;
    const [{ contact, entry }] = await received;
    expect(contact).toBe(ALICE);
    expect(entry).toMatchObject({
      id: sent?.key.id,
      from: `${ME}:1@s.whatsapp.net`,
      type: 'text',
      text: 'hello from baileys',
    });

    // Receipts one at a time: Baileys merges updates that land in the same event-buffer window.
    sim.sendReceipt(ALICE, entry.id, 'delivered');
    await eventually(() => has(Status.DELIVERY_ACK), 5000, 'delivered');
    sim.sendReceipt(ALICE, entry.id, 'read');
    await eventually(() => has(Status.READ), 5000, 'read');
    expect(
      statuses
        .get(id)
        ?.map((s) => s.status)
        .filter((s) => s >= Status.DELIVERY_ACK),
    ).toEqual([Status.DELIVERY_ACK, Status.READ]);
    expect(sim.inbox(ALICE)[0]?.status).toBe('read');
  });

  it('delivers other message types and a reaction from Baileys; the own phone gets its copy', async () => {
    const copy = nextSimEvent<[{ phone: string; id: string }]>(sim.events, 'phone-copy');
    const got = (type: string): Promise<[{ entry: InboxEntry }]> =>
      nextSimEvent<[{ entry: InboxEntry }]>(sim.events, 'message', (e) => e.entry.type === type);
    const location = got('location');
    const loc = await sock.sendMessage(ALICE_JID, {
      location: { degreesLatitude: 52.52, degreesLongitude: 13.405 },
    });
    const [{ entry: l }] = await location;
    expect(l.id).toBe(loc?.key.id);
    expect(l.content).toMatchObject({
      locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405 },
    });
    expect((await copy)[0].phone).toBe(ME);

    const card = got('contacts');
    await sock.sendMessage(ALICE_JID, {
      contacts: { displayName: 'Bob', contacts: [{ vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Bob\nEND:VCARD' }] },
    });
    expect((await card)[0].entry.content).toHaveProperty('contactMessage');

    const reaction = got('reaction');
    await sock.sendMessage(ALICE_JID, {
      react: { key: { remoteJid: ALICE_JID, fromMe: true, id: loc?.key.id ?? '' }, text: '🔥' },
    });
    expect((await reaction)[0].entry.text).toBe('🔥');
  });

  it('receives a text from the contact, and the contact sees it delivered then read', async () => {
    const upsert = nextEvent(sock, 'messages.upsert', (u) => u.messages.some((m) => !m.key.fromMe));
    const out = await sim.contactSend(ALICE, ME, 'hi from alice');
    const { messages, type } = await upsert;
    const m = messages.find((x) => !x.key.fromMe);
    expect(type).toBe('notify');
    expect(m?.key).toMatchObject({ id: out.id, fromMe: false });
    expect(m?.key.remoteJid).toBe(ALICE_JID);
    expect(m?.message?.conversation).toBe('hi from alice');
    expect(m?.pushName).toBe('Alice');
    await eventually(
      () => (sim.outbox(ALICE)[0]?.status === 'delivered' ? true : undefined),
      5000,
      'delivered',
    );
    await sock.readMessages([m!.key]);
    await eventually(() => (sim.outbox(ALICE)[0]?.status === 'read' ? true : undefined), 5000, 'read');
  });

  it('receives a reply quoting an earlier message, and a reaction', async () => {
    const mine = sim.inbox(ALICE)[0]!;
    const reply = nextEvent(sock, 'messages.upsert', (u) =>
      u.messages.some((m) => !!m.message?.extendedTextMessage),
    );
    const sentReply = await sim.contactSend(ALICE, ME, 'replying to you', mine.id);
    const replyMsg = (await reply).messages[0]!;
    expect(replyMsg.key.id).toBe(sentReply.id);
    expect(replyMsg.message?.extendedTextMessage?.text).toBe('replying to you');
    expect(replyMsg.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(mine.id);
    expect(replyMsg.message?.extendedTextMessage?.contextInfo?.quotedMessage?.conversation).toBe(
      'hello from baileys',
    );

    const reaction = nextEvent(sock, 'messages.reaction');
    await sim.contactReact(ALICE, ME, mine.id, '👍');
    const [r] = await reaction;
    expect(r?.reaction.text).toBe('👍');
    expect(r?.key).toMatchObject({ id: mine.id, fromMe: true });
  });

  it('reconnects with saved creds (no QR) and gets what arrived while offline, after the offline marker', async () => {
    const closed = closeCode(sock);
    sock.end(undefined);
    await closed;
    await eventually(
      () => (sim.getAccount(ME)?.devices[0]?.online === false ? true : undefined),
      5000,
      'offline',
    );
    const queued = await sim.contactSend(ALICE, ME, 'sent while you were offline');

    const login = nextSimEvent<[{ offlineCount: number }]>(sim.events, 'login');
    sock = connect(sim, auth);
    sockets.push(sock);
    const qrSeen: string[] = [];
    sock.ev.on('connection.update', (u) => u.qr && qrSeen.push(u.qr));
    const upsert = nextEvent(sock, 'messages.upsert', (u) => u.messages.some((m) => m.key.id === queued.id));
    await opened(sock);
    expect((await login)[0].offlineCount).toBe(1);
    const got = (await upsert).messages.find((m) => m.key.id === queued.id);
    expect(got?.message?.conversation).toBe('sent while you were offline');
    expect(qrSeen).toEqual([]);

    const received = nextSimEvent<[{ entry: InboxEntry }]>(sim.events, 'message');
    await sock.sendMessage(ALICE_JID, { text: 'second message after relogin' });
    expect((await received)[0].entry.text).toBe('second message after relogin');
  });

  it('logs out (remove-companion-device): closes with 401 and the creds are refused afterwards', async () => {
    const logout = nextSimEvent<[{ phone: string; deviceId: number }]>(sim.events, 'logout');
    const closed = closeCode(sock);
    await sock.logout();
    expect(await closed).toBe(401);
    expect((await logout)[0]).toMatchObject({ phone: ME, deviceId: 1 });
    expect(sim.getAccount(ME)?.devices).toEqual([]);

    const again = connect(sim, auth);
    sockets.push(again);
    expect(await closeCode(again)).toBe(401);
    await sleep(10);
  });

  it('answered every IQ the client sent with a simulated handler', () => {
    expect(unhandled).toEqual([]);
  });
});
