/**
 * Group retry receipts on the simulator, with real Baileys as the account: a member's phone that lost the group's
 * sender keys (a reinstall) cannot decrypt the next group message, asks the sender for it again
 * (`<receipt type="retry" from="<group>" participant="<its jid>">`), and the sender's resend (the same id, with
 * the sender key distribution message again) reaches only the devices still waiting for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, eventually, memoryAuth, opened } from './helpers.js';

const ME = '15553370001';
const ANA = '15553370002';
const BEN = '15553370003';

type RetryReceipt = { group: string; id: string; device: string; count: number };

describe('group retry receipts (real Baileys on the simulator)', () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;
  let groupId = '';
  const retries: RetryReceipt[] = [];

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(ANA, 'Ana');
    sim.addContact(BEN, 'Ben');
    sim.events.on('group-retry-receipt', (r) => retries.push(r));
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    await opened(sock);
    groupId = (await sock.groupCreate('Retry', [`${ANA}@s.whatsapp.net`, `${BEN}@s.whatsapp.net`])).id;
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  const record = (id: string) => sim.groups.messages(groupId).find((m) => m.id === id);

  it('a phone that lost the sender key asks again; the resend reaches it alone and it reads the message', async () => {
    const first = await sock.sendMessage(groupId, { text: 'before the reinstall' });
    await eventually(() => (record(first!.key.id!)?.decryptedBy.length === 3 ? true : undefined));

    expect(sim.groups.forgetSenderKeys(groupId, BEN)).toBeGreaterThan(0);
    const sent = await sock.sendMessage(groupId, { text: 'after the reinstall' });
    const id = sent!.key.id!;
    const benLid = sim.getContact(BEN)!.lid;

    const done = await eventually(() => {
      const m = record(id);
      return m?.decryptedBy.includes(benLid) ? m : undefined;
    }, 15_000);
    // Ben's phone asked once (count 1, as its phone jid: Baileys then sends to every member device again, each
    // with the key), the resend reached Ben alone (Ana and the account's phone had it already), and Ben read it.
    expect(retries.filter((r) => r.id === id)).toEqual([{ group: groupId, id, device: benLid, count: 1 }]);
    expect(done.resends).toBe(1);
    expect(done.undecryptable).toEqual([]);
    expect(done.decryptedBy.filter((d) => d === benLid)).toHaveLength(1);
    expect(done.decryptedBy).toHaveLength(3);
    expect(done.text).toBe('after the reinstall');
    expect(done.deliveredTo.sort()).toEqual([ANA, BEN].sort());
  });
});
