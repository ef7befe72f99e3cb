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

  const post = async (
    path: string,
    body: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${sim.controlUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

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

  it('reports per-participant delivery and read receipts to the sender', async () => {
    const sent = await sock.sendMessage(groupId, { text: 'please read' });
    const id = sent!.key.id!;
    const benLid = sim.getContact(BEN)!.lid;
    const read = nextEvent(sock, 'message-receipt.update', (us) =>
      us.some((u) => u.key.id === id && u.receipt.userJid === benLid && !!u.receipt.readTimestamp),
    );
    await eventually(() =>
      sim.groups.messages(groupId).find((m) => m.id === id)?.deliveredTo.length === 2 ? true : undefined,
    );
    const res = await post(`/groups/${groupId.split('@')[0]}/messages/${id}/receipt`, {
      from: BEN,
      type: 'read',
    });
    expect(res.status).toBe(200);
    expect(res.json.readBy).toEqual([BEN]);
    await read;
  });

  it('contacts post, reply and react from their phones and companions; Baileys gets each with its participant', async () => {
    const gid = groupId.split('@')[0];
    const mine = await sock.sendMessage(groupId, { text: 'agenda?' });
    const post1 = fromGroup(sock, (m) => textOf(m) === 'from the laptop');
    const res = await post(`/groups/${gid}/messages`, { from: ANA, text: 'from the laptop', fromDevice: 1 });
    expect(res.status).toBe(201);
    const got = await post1;
    // Baileys keeps the sender without its device in the key; the post came from Ana's companion (:1).
    expect(got.key).toMatchObject({ fromMe: false, participant: anaLid });
    expect(res.json.fromDevice).toBe(1);
    // It carried Ana's laptop's sender key to both of the account's companions.
    const companions = sim.getAccount(ME)!.devices.map((d) => d.lid);
    expect((res.json.keyCopies as string[]).sort()).toEqual(companions.sort());
    expect(got.key.participantAlt).toBe(`${ANA}@s.whatsapp.net`);
    expect(got.pushName).toBe('Ana');

    const reply = fromGroup(sock, (m) => textOf(m) === 'item one');
    expect(
      (await post(`/groups/${gid}/messages`, { from: BEN, text: 'item one', replyTo: mine!.key.id })).status,
    ).toBe(201);
    const context = (await reply).message?.extendedTextMessage?.contextInfo;
    expect(context).toMatchObject({ stanzaId: mine!.key.id, participant: sim.getAccount(ME)!.lid });
    expect(context?.quotedMessage?.conversation).toBe('agenda?');

    const reaction = fromGroup(sock, (m) => !!m.message?.reactionMessage);
    expect(
      (
        await post(`/groups/${gid}/messages`, {
          from: ANA,
          reaction: { messageId: mine!.key.id, emoji: '👍' },
        })
      ).status,
    ).toBe(201);
    expect((await reaction).message?.reactionMessage).toMatchObject({
      text: '👍',
      key: { id: mine!.key.id },
    });
    // Ana's phone and companion each sent their own sender key once: the second post of the phone carries none.
    const again = fromGroup(sock, (m) => textOf(m) === 'no key needed');
    const second = await post(`/groups/${gid}/messages`, { from: ANA, text: 'no key needed' });
    expect(second.json.keyCopies).toEqual([]);
    await again;
  });
});
