/**
 * App state (syncd) on the simulator with bare Baileys as the companion: the phone shares its sync key after
 * linking (by QR, and at a provisioned device's first login), its archive / mute patches reach Baileys as `chats.update`, Baileys' own `chatModify` patches are read
 * back by the phone, a patch with a tampered MAC is refused by Baileys, and an upload on a stale version gets the
 * real server's 409 with the patches the device missed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBinaryNodeChild, proto } from '@whiskeysockets/baileys';
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, eventually, linkWithQr, memoryAuth, opened } from './helpers.js';

const ME = '15553360001';
const IVAN = '15553360002';
const JUDY = '15553360003';
const PROVISIONED = '15553360004';
const jid = (phone: string) => `${phone}@s.whatsapp.net`;

type ChatUpdate = BaileysEventMap['chats.update'][number];

describe('app state: chat flags through syncd patches', () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;
  const auth = memoryAuth();
  const updates: ChatUpdate[] = [];
  const updateFor = (chat: string, has: (u: ChatUpdate) => boolean) =>
    eventually(() => updates.find((u) => u.id === jid(chat) && has(u)), 10_000, `chats.update for ${chat}`);
  const phoneFlags = async (chat: string) =>
    (await sim.phoneChats.flags(ME)).find((c) => c.jid === jid(chat));

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(IVAN, 'Ivan');
    sim.addContact(JUDY, 'Judy');
    // The session host turns MAC checks on (Baileys' default skips them); so does this companion.
    sock = (
      await linkWithQr(sim, auth, (qr) => sim.scanQr(qr, ME), {
        appStateMacVerification: { patch: true, snapshot: true },
      })
    ).sock;
    sock.ev.on('chats.update', (u) => updates.push(...u));
    await eventually(() => auth.creds.myAppStateKeyId, 10_000, 'the app-state key from the phone');
  }, 60_000);

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it("the phone's archive and mute reach Baileys; Baileys' pin and mark-unread reach the phone", async () => {
    await sim.phoneChats.modify(ME, IVAN, { action: 'archive', archived: true });
    await updateFor(IVAN, (u) => u.archived === true);
    const until = Date.now() + 8 * 3600_000;
    await sim.phoneChats.modify(ME, IVAN, { action: 'mute', until });
    expect((await updateFor(IVAN, (u) => u.muteEndTime !== undefined)).muteEndTime).toBe(until);

    await sock.chatModify({ pin: true }, jid(IVAN));
    await sock.chatModify({ markRead: false, lastMessages: [] }, jid(IVAN));
    expect(await phoneFlags(IVAN)).toEqual({
      jid: jid(IVAN),
      archived: true,
      pinned: true,
      mutedUntil: until,
      unread: true,
    });
    // The phone's next patch goes on top of Baileys' (the LT hash of both agrees, or Baileys would not apply it).
    await sim.phoneChats.modify(ME, IVAN, { action: 'archive', archived: false });
    await updateFor(IVAN, (u) => u.archived === false);
  });

  it('a patch whose MAC was tampered with is refused by Baileys; the next good one applies', async () => {
    await sim.phoneChats.modify(ME, JUDY, { action: 'pin', pinned: true }, { badMac: true });
    await sim.phoneChats.modify(ME, JUDY, { action: 'archive', archived: true });
    await updateFor(JUDY, (u) => u.archived === true);
    expect(updates.filter((u) => u.id === jid(JUDY) && u.pinned !== undefined)).toEqual([]);
    // The phone reads the server's patches as Baileys does: the tampered one does not count.
    expect((await phoneFlags(JUDY))?.pinned).toBeUndefined();
  });

  it('a provisioned device gets the key at its first login, so its own patches reach the phone', async () => {
    const provisioned = memoryAuth(await provisionLinkedDevice(sim, PROVISIONED));
    expect(provisioned.creds.myAppStateKeyId).toBeUndefined();
    const other = connect(sim, provisioned, { appStateMacVerification: { patch: true, snapshot: true } });
    try {
      await opened(other);
      await eventually(() => provisioned.creds.myAppStateKeyId, 10_000, 'the app-state key from the phone');
      // Without the key Baileys cannot encrypt the patch and chatModify throws; the upload is answered once stored.
      await other.chatModify({ archive: true, lastMessages: [] }, jid(IVAN));
      expect((await sim.phoneChats.flags(PROVISIONED)).find((c) => c.jid === jid(IVAN))).toEqual({
        jid: jid(IVAN),
        archived: true,
      });
    } finally {
      endAll([other]);
    }
  });

  it('an upload on a stale version gets 409 conflict with the patches the device missed', async () => {
    const latest = Number(
      getBinaryNodeChild(
        getBinaryNodeChild(
          await sock.query({
            tag: 'iq',
            attrs: { to: 's.whatsapp.net', xmlns: 'w:sync:app:state', type: 'set' },
            content: [
              {
                tag: 'sync',
                attrs: {},
                content: [{ tag: 'collection', attrs: { name: 'regular_low', version: '0' } }],
              },
            ],
          }),
          'sync',
        ),
        'collection',
      )?.attrs.version,
    );
    expect(latest).toBeGreaterThan(1);
    const stale = proto.SyncdPatch.encode({ mutations: [], keyId: { id: Buffer.alloc(6) } }).finish();
    const answer = await sock.query({
      tag: 'iq',
      attrs: { to: 's.whatsapp.net', xmlns: 'w:sync:app:state', type: 'set' },
      content: [
        {
          tag: 'sync',
          attrs: {},
          content: [
            {
              tag: 'collection',
              attrs: { name: 'regular_low', version: String(latest - 1), return_snapshot: 'false' },
              content: [{ tag: 'patch', attrs: {}, content: stale }],
            },
          ],
        },
      ],
    });
    const collection = getBinaryNodeChild(getBinaryNodeChild(answer, 'sync'), 'collection');
    expect(collection?.attrs).toMatchObject({ name: 'regular_low', type: 'error', version: String(latest) });
    expect(getBinaryNodeChild(collection, 'error')?.attrs).toMatchObject({ code: '409', text: 'conflict' });
    const missed = getBinaryNodeChild(getBinaryNodeChild(collection, 'patches'), 'patch');
    const patch = proto.SyncdPatch.decode(missed?.content as Uint8Array);
    expect(Number(patch.version?.version)).toBe(latest);
  });
});
