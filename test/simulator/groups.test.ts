/**
 * Groups on the simulator with real Baileys as the account (issue #16): `w:g2` IQs, `w:gp2` notifications and
 * sender keys. One simulator and one linked account (two companions) for the whole file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jidDecode } from '@whiskeysockets/baileys';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { StanzaEvent } from '../../simulator/events.js';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import {
  connect,
  endAll,
  eventually,
  mediaAgent,
  memoryAuth,
  nextEvent,
  nextSimEvent,
  opened,
} from './helpers.js';

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

  const fromGroupJid = async (jid: string, has: (m: WAMessage) => boolean, s = sock): Promise<WAMessage> => {
    const mine = (m: WAMessage) => m.key.remoteJid === jid && has(m);
    const upsert = await nextEvent(s, 'messages.upsert', (u) => u.messages.some(mine));
    return upsert.messages.find(mine)!;
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
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)), { fetchAgent: mediaAgent(sim) });
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
    const res = await post(`/groups/${groupId.replace('@g.us', '')}/messages/${id}/receipt`, {
      from: BEN,
      type: 'read',
    });
    expect(res.status).toBe(200);
    expect(res.json.readBy).toEqual([BEN]);
    await read;
  });

  it('an image to the group: every member device decrypts it and the file checks out', async () => {
    const photo = randomBytes(20_000);
    const sent = await sock.sendMessage(groupId, {
      image: photo,
      mimetype: 'image/jpeg',
      caption: 'the board',
    });
    const record = await eventually(() => {
      const m = sim.groups.messages(groupId).find((x) => x.id === sent!.key.id);
      return m && m.decryptedBy.length >= 4 ? m : undefined;
    });
    expect(record).toMatchObject({
      type: 'image',
      text: 'the board',
      media: {
        mimetype: 'image/jpeg',
        fileLength: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
      },
      undecryptable: [],
    });
  });

  it('a contact creates a group with the account and makes it an admin', async () => {
    const upserted = nextEvent(sock, 'groups.upsert', (gs) => gs.some((g) => g.subject === 'Cat and co'));
    const created = await post('/groups', { creator: CAT, subject: 'Cat and co', participants: [ME, ANA] });
    expect(created.status).toBe(201);
    const { jid, id } = created.json as { jid: string; id: string };
    const [group] = await upserted;
    expect(group).toMatchObject({ id: jid, author: sim.getContact(CAT)!.lid, addressingMode: 'lid' });
    const promoted = nextEvent(
      sock,
      'group-participants.update',
      (u) => u.id === jid && u.action === 'promote',
    );
    await post(`/groups/${id}/participants`, { actor: CAT, action: 'promote', participants: [ME] });
    expect((await promoted).participants[0]?.phoneNumber).toBe(`${ME}@s.whatsapp.net`);
    // Now an admin, the account renames it.
    await sock.groupUpdateSubject(jid, 'Cat & co');
    expect(sim.groups.get(id).subject).toBe('Cat & co');
  });

  it('contacts post, reply and react from their phones and companions; Baileys gets each with its participant', async () => {
    const gid = groupId.replace('@g.us', '');
    const mine = await sock.sendMessage(groupId, { text: 'agenda?' });
    const post1 = fromGroup(sock, (m) => textOf(m) === 'from the laptop');
    const res = await post(`/groups/${gid}/messages`, { from: ANA, text: 'from the laptop', fromDevice: 1 });
    expect(res.status).toBe(201);
    const got = await post1;
    // Baileys keeps the sender without its device in the key; the post came from Ana's companion (:1).
    expect(got.key).toMatchObject({ fromMe: false, participant: anaLid });
    expect(res.json.fromDevice).toBe(1);
    // The other simulated devices in the group decrypted it too: Ana's phone, Ben's phone, the account's phone.
    expect((res.json.decryptedBy as string[]).sort()).toEqual(
      [anaLid, sim.getContact(BEN)!.lid, sim.getAccount(ME)!.lid].sort(),
    );
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

  it('adds, promotes, demotes and removes participants; each change reaches Baileys as group-participants.update', async () => {
    const catJid = `${CAT}@s.whatsapp.net`;
    const catLid = sim.getContact(CAT)!.lid;
    const seen = (action: string) =>
      nextEvent(sibling, 'group-participants.update', (u) => u.id === groupId && u.action === action);
    const added = seen('add');
    const results = await sock.groupParticipantsUpdate(groupId, [catJid, `${ANA}@s.whatsapp.net`], 'add');
    expect(results.map((r) => [r.jid, r.status])).toEqual([
      [catLid, '200'],
      [`${ANA}@s.whatsapp.net`, '409'],
    ]);
    expect((await added).participants).toEqual([
      expect.objectContaining({ id: catLid, phoneNumber: catJid }),
    ]);

    const promoted = seen('promote');
    expect((await sock.groupParticipantsUpdate(groupId, [catJid], 'promote'))[0]?.status).toBe('200');
    await promoted;
    expect(sim.groups.get(groupId.replace('@g.us', '')).participants.find((p) => p.phone === CAT)?.role).toBe(
      'admin',
    );
    const demoted = seen('demote');
    await sock.groupParticipantsUpdate(groupId, [catJid], 'demote');
    await demoted;

    // A member who is not an admin may not remove anyone: 403 for the whole request.
    const refused = await post(`/groups/${groupId.replace('@g.us', '')}/participants`, {
      actor: CAT,
      action: 'remove',
      participants: [BEN],
    });
    expect(refused).toMatchObject({ status: 403, json: { error: 'forbidden' } });

    const removed = seen('remove');
    expect((await sock.groupParticipantsUpdate(groupId, [catJid], 'remove'))[0]?.status).toBe('200');
    expect((await removed).participants[0]?.id).toBe(catLid);
    const meta = await sock.groupMetadata(groupId);
    expect(meta.participants.map((p) => p.phoneNumber)).not.toContain(catJid);
  });

  it('changes the subject, description and settings; non-admins are refused once the group is locked', async () => {
    const gid = groupId.replace('@g.us', '');
    const update = (has: (u: Record<string, unknown>) => boolean) =>
      nextEvent(sibling, 'groups.update', (us) =>
        us.some((u) => u.id === groupId && has(u as Record<string, unknown>)),
      );
    const subject = update((u) => u.subject === 'Team 2');
    await sock.groupUpdateSubject(groupId, 'Team 2');
    await subject;
    const desc = update((u) => u.desc === 'weekly sync');
    await sock.groupUpdateDescription(groupId, 'weekly sync');
    await desc;
    const announce = update((u) => u.announce === true);
    await sock.groupSettingUpdate(groupId, 'announcement');
    await announce;
    const locked = update((u) => u.restrict === true);
    await sock.groupSettingUpdate(groupId, 'locked');
    await locked;
    const meta = await sock.groupMetadata(groupId);
    expect(meta).toMatchObject({ subject: 'Team 2', desc: 'weekly sync', announce: true, restrict: true });

    // Ben is no admin: he may neither rename a locked group nor post in an admins-only one.
    expect((await post(`/groups/${gid}/settings`, { actor: BEN, subject: 'mine' })).status).toBe(403);
    expect((await post(`/groups/${gid}/messages`, { from: BEN, text: 'hi' })).status).toBe(403);
    // A contact admin reopens it; Baileys hears it from the contact.
    await sock.groupParticipantsUpdate(groupId, [`${ANA}@s.whatsapp.net`], 'promote');
    const reopened = nextEvent(sock, 'groups.update', (us) =>
      us.some((u) => u.id === groupId && u.announce === false),
    );
    const res = await post(`/groups/${gid}/settings`, { actor: ANA, announce: false, locked: false });
    expect(res).toMatchObject({ status: 200, json: { announce: false, locked: false } });
    expect((await reopened)[0]?.author).toBe(anaLid);
  });

  it('shares and resets the invite link; a contact joins by code; groups list without a round trip per group', async () => {
    const gid = groupId.replace('@g.us', '');
    const code = await sock.groupInviteCode(groupId);
    expect(code).toBe(sim.groups.get(gid).inviteCode);
    const fresh = await sock.groupRevokeInvite(groupId);
    expect(fresh).not.toBe(code);
    expect((await post('/groups/join', { phone: CAT, code })).json).toMatchObject({
      error: 'not-acceptable',
    });
    const joined = nextEvent(
      sock,
      'group-participants.update',
      (u) => u.id === groupId && u.action === 'add',
    );
    expect((await post('/groups/join', { phone: CAT, code: fresh })).json).toMatchObject({
      outcome: 'joined',
    });
    expect((await joined).participants[0]?.phoneNumber).toBe(`${CAT}@s.whatsapp.net`);

    const all = await sock.groupFetchAllParticipating();
    expect(Object.keys(all).sort()).toEqual(
      sim.groups
        .list(ME)
        .map((g) => g.jid)
        .sort(),
    );
    expect(all[groupId]?.participants.length).toBe(4);
  });

  it("the account joins a contact's group by link, with approval, and a contact removes it", async () => {
    const created = await post('/groups', { creator: BEN, subject: "Ben's club", participants: [ANA] });
    const club = created.json as { id: string; jid: string };
    await post(`/groups/${club.id}/settings`, { actor: BEN, joinApproval: true });
    const { code } = (await post(`/groups/${club.id}/invite`, { actor: BEN })).json as { code: string };
    const info = await sock.groupGetInviteInfo(code);
    expect(info).toMatchObject({ id: club.jid, subject: "Ben's club", joinApprovalMode: true });
    await sock.groupAcceptInvite(code);
    expect(sim.groups.get(club.id).requests.map((r) => r.phone)).toEqual([ME]);

    const upserted = nextEvent(
      sock,
      'group-participants.update',
      (u) => u.id === club.jid && u.action === 'add',
    );
    const approved = await post(`/groups/${club.id}/join-requests`, {
      actor: BEN,
      action: 'approve',
      participants: [ME],
    });
    expect(approved.json).toEqual({ results: [{ jid: ME, phone: ME }] });
    await upserted;
    const posted = fromGroupJid(club.jid, (m) => textOf(m) === 'welcome');
    await post(`/groups/${club.id}/messages`, { from: BEN, text: 'welcome' });
    await posted;

    const removed = nextEvent(
      sock,
      'group-participants.update',
      (u) => u.id === club.jid && u.action === 'remove',
    );
    await post(`/groups/${club.id}/participants`, { actor: BEN, action: 'remove', participants: [ME] });
    const update = await removed;
    expect(update.participants[0]?.phoneNumber).toBe(`${ME}@s.whatsapp.net`);
    await expect(sock.groupMetadata(club.jid)).rejects.toThrow();
  });

  it('a contact device linked later gets the sender key on the next send before it can decrypt', async () => {
    const before = sim.groups.messages(groupId).length;
    // The server tells the group's members (a devices notification); wait until the sending companion acked it.
    const told = nextSimEvent(
      sim.events,
      'stanza',
      (e: StanzaEvent) =>
        e.direction === 'in' &&
        e.deviceId === jidDecode(sock.user!.id)?.device &&
        e.node.tag === 'ack' &&
        e.node.attrs.type === 'devices',
    );
    const device = sim.addContactDevice(BEN);
    const benDevice = sim.getContact(BEN)!.lid.replace('@lid', `:${device}@lid`);
    await told;
    const sent = await sock.sendMessage(groupId, { text: 'welcome, new laptop' });
    const record = await eventually(() => {
      const m = sim.groups.messages(groupId).find((x) => x.id === sent!.key.id);
      return m && m.decryptedBy.includes(benDevice) ? m : undefined;
    });
    expect(sim.groups.messages(groupId).length).toBe(before + 1);
    // Only devices that lack the account's sender key get a copy: Ben's new laptop does, his phone does not.
    expect(record.keyCopies).toContain(benDevice);
    expect(record.keyCopies).not.toContain(sim.getContact(BEN)!.lid);
    expect(record.undecryptable).toEqual([]);
  });

  it('refuses bad control input with a 4xx naming the field, and unknown groups with 404', async () => {
    const bad = await post('/groups', { creator: 'x', subject: '', participants: [] });
    expect(bad).toMatchObject({ status: 400, json: { error: 'invalid_body' } });
    expect(bad.json.detail).toMatch(/creator/);
    expect(bad.json.detail).toMatch(/subject/);
    const both = await post(`/groups/${groupId.replace('@g.us', '')}/messages`, { from: ANA });
    expect(both).toMatchObject({ status: 400, json: { error: 'invalid_body' } });
    expect(await post('/groups/120363000000000999/leave', { phone: ANA })).toMatchObject({
      status: 404,
      json: { error: 'unknown_group' },
    });
    await expect(sock.groupMetadata('120363000000000999@g.us')).rejects.toThrow(/item-not-found/);
  });

  it("leaves a group: the account's devices and the remaining members hear it", async () => {
    const left = nextEvent(
      sibling,
      'group-participants.update',
      (u) => u.id === groupId && u.action === 'remove',
    );
    await sock.groupLeave(groupId);
    expect((await left).participants[0]?.phoneNumber).toBe(`${ME}@s.whatsapp.net`);
    expect(sim.groups.get(groupId.replace('@g.us', '')).participants.map((p) => p.phone)).not.toContain(ME);
    expect(Object.keys(await sock.groupFetchAllParticipating())).not.toContain(groupId);
  });
});
