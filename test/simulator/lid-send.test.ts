import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import {
  memoryAuthState,
  provisionLinkedDevice,
  trustSimulator,
  WhatsAppSimulator,
} from '../../simulator/index.js';
import type { InboxEntry } from '../../simulator/index.js';
import { connect, endAll, nextSimEvent, opened } from './helpers.js';

const ME = '15553560001';
const CAROL = '15553560002';
const CAROL_PN_JID = `${CAROL}@s.whatsapp.net`;

type AckEvent = [{ phone: string; id: string; error?: number }];
type MessageEvent = [{ contact: string; entry: InboxEntry }];

/** Issue "Identity" (dossier 4(d)): stock rc14 addresses 1:1 sends by phone number, whatever it knows. */
describe('a contact migrated to LID addressing: stock rc14 sending by phone number', () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  let untrust: () => void;
  let sock: WASocket;

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(CAROL, 'Carol');
    sock = connect(sim, memoryAuthState(await provisionLinkedDevice(sim, ME)));
    sockets.push(sock);
    await opened(sock);
    sim.setContactAddressing(CAROL, 'lid');
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  it('gets ack 463 and the contact never receives it, though Baileys can look the LID up', async () => {
    const ack = nextSimEvent<AckEvent>(sim.events, 'message-ack', (a) => a.phone === ME, 5_000);
    const sent = await sock.sendMessage(CAROL_PN_JID, { text: 'by phone number' });
    const [{ id, error }] = await ack;
    expect(id).toBe(sent?.key.id);
    expect(error).toBe(463);
    expect(sim.inbox(CAROL)).toEqual([]);
    // The fix is within reach of stock rc14 (a usync lid lookup), it just does not use it for sends.
    const lid = await sock.signalRepository.lidMapping.getLIDForPN(CAROL_PN_JID);
    expect(lid).toBe(sim.getContact(CAROL)?.lid);
  });

  it('addressed to the LID jid, the same contact receives it', async () => {
    const lidJid = sim.getContact(CAROL)?.lid ?? '';
    const ack = nextSimEvent<AckEvent>(sim.events, 'message-ack', (a) => a.phone === ME, 5_000);
    const received = nextSimEvent<MessageEvent>(sim.events, 'message', (m) => m.contact === CAROL, 5_000);
    const sent = await sock.sendMessage(lidJid, { text: 'by lid' });
    expect((await ack)[0]).toEqual({ phone: ME, id: sent?.key.id });
    expect((await received)[0].entry).toMatchObject({ id: sent?.key.id, text: 'by lid' });
  });

  it('on the early-2026 server (legacy no-pn-send-refusal) the phone-number send is delivered', async () => {
    sim.setLegacy(['no-pn-send-refusal']);
    try {
      const received = nextSimEvent<MessageEvent>(sim.events, 'message', (m) => m.contact === CAROL, 5_000);
      const sent = await sock.sendMessage(CAROL_PN_JID, { text: 'old server' });
      expect((await received)[0].entry).toMatchObject({ id: sent?.key.id, text: 'old server' });
    } finally {
      sim.setLegacy([]);
    }
  });
});
