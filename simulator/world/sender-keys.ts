import {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName,
  SenderKeyRecord,
} from '@whiskeysockets/baileys/lib/Signal/Group/index.js';
import type { SenderKeyStore } from '@whiskeysockets/baileys/lib/Signal/Group/group_cipher.js';
import { encodeWAMessage, jidDecode, proto, unpadRandomMax16 } from '@whiskeysockets/baileys';
import libsignal from 'libsignal';

const { ProtocolAddress } = libsignal;

/** The sender key of `author` (a device jid such as `2000…01:2@lid`) in `group`, as libsignal names it. */
const keyName = (group: string, author: string): SenderKeyName => {
  const decoded = jidDecode(author);
  if (!decoded?.user) throw new Error(`not a device jid: ${author}`);
  return new SenderKeyName(
    group,
    new ProtocolAddress(`${decoded.user}@${decoded.server}`, decoded.device ?? 0),
  );
};

/**
 * One simulated device's group keys (WhatsApp's "sender keys"): its own chain per group, which it hands to the
 * other members' devices in a SenderKeyDistributionMessage over their 1:1 Signal sessions, and the chains other
 * members handed it, with which it decrypts their `skmsg`. The cipher is the one Baileys ships (Signal/Group), the
 * same code a companion runs, so what this decrypts a real client has encrypted and the other way round.
 */
export class SenderKeys {
  private readonly records = new Map<string, SenderKeyRecord>();
  private readonly store: SenderKeyStore = {
    loadSenderKey: async (name) => this.records.get(name.toString()) ?? new SenderKeyRecord(),
    storeSenderKey: async (name, record) => {
      this.records.set(name.toString(), record);
    },
  };

  /** Whether this device holds `author`'s key for `group` (it got the distribution message). */
  has(group: string, author: string): boolean {
    const record = this.records.get(keyName(group, author).toString());
    return record !== undefined && !record.isEmpty();
  }

  /**
   * Forgets every key other devices handed it for `group` (a reinstalled phone): their next `skmsg` fails until a
   * distribution message comes again. Returns how many keys it dropped.
   */
  forgetGroup(group: string): number {
    let dropped = 0;
    for (const name of [...this.records.keys()]) {
      if (!name.startsWith(`${group}::`)) continue;
      this.records.delete(name);
      dropped++;
    }
    return dropped;
  }

  /** This device's own distribution message for `group` (its key is made on first use). */
  async distribution(group: string, self: string): Promise<Buffer> {
    const skdm = await new GroupSessionBuilder(this.store).create(keyName(group, self));
    return Buffer.from(skdm.serialize());
  }

  /** Encrypts `message` once for every member of `group`: the `skmsg` the server fans out. */
  async encrypt(group: string, self: string, message: proto.IMessage): Promise<Buffer> {
    const name = keyName(group, self);
    await new GroupSessionBuilder(this.store).create(name);
    return Buffer.from(await new GroupCipher(this.store, name).encrypt(encodeWAMessage(message)));
  }

  /** Takes in `author`'s key from the distribution message it sent over a 1:1 session. */
  async process(group: string, author: string, serialized: Uint8Array): Promise<void> {
    const skdm = new SenderKeyDistributionMessage(null, null, null, null, serialized);
    await new GroupSessionBuilder(this.store).process(keyName(group, author), skdm);
  }

  /** Decrypts `author`'s `skmsg`; throws when this device never got its key (or the chain does not match). */
  async decrypt(group: string, author: string, ciphertext: Uint8Array): Promise<proto.Message> {
    if (!this.has(group, author)) throw new Error(`no sender key of ${author} in ${group}`);
    const plain = await new GroupCipher(this.store, keyName(group, author)).decrypt(ciphertext);
    return proto.Message.decode(unpadRandomMax16(plain));
  }
}
