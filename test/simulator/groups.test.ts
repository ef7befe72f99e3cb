/**
 * Groups on the simulator with real Baileys as the account (issue #16): `w:g2` IQs, `w:gp2` notifications and
 * sender keys. One simulator and one linked account (two companions) for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, eventually, memoryAuth, nextEvent, opened } from './helpers.js';

/** The text of a message, plain or extended (Baileys sends extended text to groups). */
const textOf = (m: WAMessage): string | undefined =>
  m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined;

const ME = '15553360001';
const ANA = '15553360002';
const BEN = '15553360003';
const CAT = '15553360004';

describe('groups with sender keys (real Baileys on the simulator)', () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;
  let sibling: WASocket;
  let groupId = '';
  let anaLid = '';

  const fromGroup = async (s: WASocket, has: (m: WAMessage) => boolean): Promise<WAMessage> => {
    const mine = (m: WAMessage) => m.key.remoteJid === groupId && has(m);
    const upsert = await nextEvent(s, 'messages.upsert', (u) => u.messages.some(mine));
    return upsert.messages.find(mine)!;
  };

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(ANA, 'Ana');
    sim.addContact(BEN, 'Ben');
    sim.addContact(CAT, 'Cat');
    sim.addContactDevice(ANA); // Ana also uses WhatsApp Web: device :1
    anaLid = sim.getContact(ANA)!.lid;
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    sibling = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    await Promise.all([opened(sock), opened(sibling)]);
  });

  afterAll(async () => {
    endAll([sock, sibling]);
    await sim.stop();
    untrust();
  });

  it('creates a LID group; every member device decrypts a text sent with the sender key', async () => {
    const upserted = nextEvent(sibling, 'groups.upsert');
    const meta = await sock.groupCreate('Team', [`${ANA}@s.whatsapp.net`, `${BEN}@s.whatsapp.net`]);
    groupId = meta.id;
    expect(meta).toMatchObject({ subject: 'Team', addressingMode: 'lid', size: 3 });
    expect(meta.participants.map((p) => p.phoneNumber).sort()).toEqual(
      [ME, ANA, BEN].map((p) => `${p}@s.whatsapp.net`).sort(),
    );
    expect(meta.participants.find((p) => p.phoneNumber === `${ME}@s.whatsapp.net`)?.admin).toBe('superadmin');
    expect((await upserted)[0]).toMatchObject({ id: groupId, subject: 'Team' });

    const onSibling = fromGroup(sibling, (m) => textOf(m) === 'hello team');
    const sent = await sock.sendMessage(groupId, { text: 'hello team' });
    const id = sent!.key.id!;
    const record = await eventually(() => {
      const m = sim.groups.messages(groupId).find((x) => x.id === id);
      return m && m.decryptedBy.length >= 4 ? m : undefined;
    });
    // Ana's phone and companion, Ben's phone, and the account's own phone each decrypted the one skmsg.
    expect(record.decryptedBy.sort()).toEqual(
      [
        `${anaLid}`,
        anaLid.replace('@lid', ':1@lid'),
        sim.getContact(BEN)!.lid,
        sim.getAccount(ME)!.lid,
      ].sort(),
    );
    expect(record.undecryptable).toEqual([]);
    expect(record.text).toBe('hello team');
    // The sibling companion got the skmsg with its own copy of the key and shows the message as sent by me.
    expect((await onSibling).key.fromMe).toBe(true);
  });
});
