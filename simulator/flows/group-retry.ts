/**
 * Group retry receipts. A member's device that cannot decrypt a group message (it lost the sender's sender key: a
 * reinstall, a distribution message that never arrived) does what it does for a 1:1 message it cannot read: it asks
 * the sender for it again, `<receipt type="retry" from="<group>" participant="<its device jid>">` with the retry
 * count (keys from count 2), relayed by the server to every device of the sender's account.
 *
 * The sender sends the message again under the same id. Baileys (`sendMessagesAgain`) forgets which devices hold
 * its sender key for the group and relays the message to the group again: a phone that asked (device 0) makes it
 * go out to every member device with the sender key distribution message for each; a companion that asked gets it
 * alone (`participant`). whatsmeow re-encrypts pairwise to the asking device instead; not modelled here. The
 * server hands a resend only to the member devices that have not decrypted the message yet: the others already
 * have its id and would drop it as a repeat.
 */
import { node, nowSeconds, uintBE } from '../wire/nodes.js';
import type { Group, GroupMessage } from '../world/groups.js';
import { groupJid } from '../world/groups.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid } from '../world/world.js';
import { pushToDevice } from './context.js';
import type { SimContext } from './context.js';
import { contactDeviceIds, contactPeer } from './lid-addressing.js';

/** A phone stops asking after this many retries of one message, as it does for 1:1 messages. */
export const MAX_GROUP_RETRY_COUNT = 5;

/**
 * The contact's device `deviceId` could not decrypt `record`: it asks `sender` (every device of the account) for a
 * resend. Returns the retry count it asked with, or undefined once it gave up.
 */
export const askGroupResend = (
  ctx: SimContext,
  record: GroupMessage,
  contact: Contact,
  deviceId: number,
  sender: Account,
): number | undefined => {
  const deviceJid = lidJid(contact.lid, deviceId);
  const retries = (record.retries ??= {});
  const count = (retries[deviceJid] ?? 0) + 1;
  if (count > MAX_GROUP_RETRY_COUNT) return undefined;
  retries[deviceJid] = count;
  const peer = contactPeer(contact, deviceId) ?? contact.peer;
  const t = nowSeconds();
  const receipt = node(
    'receipt',
    { from: groupJid(record.group), participant: deviceJid, id: record.id, type: 'retry', t },
    [
      node('retry', { count: String(count), id: record.id, t, v: '1', error: '0' }),
      node('registration', {}, uintBE(peer.registrationId, 4)),
    ],
  );
  for (const device of sender.devices.values()) pushToDevice(ctx, sender, device, receipt);
  ctx.events.emit('group-retry-receipt', {
    group: groupJid(record.group),
    id: record.id,
    device: deviceJid,
    count,
  });
  return count;
};

/** The member devices (contacts' only) that got `record` but could not decrypt it, by device jid. */
export const waitingDevices = (
  ctx: SimContext,
  group: Group,
  record: GroupMessage,
): Array<{ phone: string; contact: Contact; deviceId: number; deviceJid: string }> => {
  const waiting = new Set(record.undecryptable);
  const out: Array<{ phone: string; contact: Contact; deviceId: number; deviceJid: string }> = [];
  for (const phone of group.participants.keys()) {
    const contact = ctx.world.contacts.get(phone);
    if (!contact) continue;
    for (const deviceId of contactDeviceIds(contact)) {
      const deviceJid = lidJid(contact.lid, deviceId);
      if (waiting.has(deviceJid)) out.push({ phone, contact, deviceId, deviceJid });
    }
  }
  return out;
};
