import { SignalPeer } from '../world/signal-peer.js';
import type { Account, Contact, LinkedDevice, OutboxEntry } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';

/**
 * How today's server addresses a contact's 1:1 stanzas. `lid`: from `<lid>[:dev]@lid`, with `sender_pn` and
 * `addressing_mode="lid"`; `pn`: from `<pn>[:dev]@s.whatsapp.net`, with `sender_lid`. The alternate attribute
 * never carries the device, as on the real server (which is why a client must move the device over itself).
 */
export const contactSenderAttrs = (contact: Contact, deviceId = 0): Record<string, string> => {
  const device = deviceId === 0 ? undefined : deviceId;
  if (contact.addressing === 'lid')
    return { from: lidJid(contact.lid, device), sender_pn: pnJid(contact.phone), addressing_mode: 'lid' };
  const from = pnJid(contact.phone, device);
  return isLidDisclosed(contact) ? { from, sender_lid: lidJid(contact.lid) } : { from };
};

/**
 * Whether the server reveals the contact's LID (in `sender_lid` and in usync's `lid`). A contact outside the LID
 * rollout (`lidHidden`) keeps it hidden until it is LID-addressed. This is how a client came to hold a Signal
 * session under a contact's phone number that rc14 never moves to the LID (case A of the dossier).
 */
export const isLidDisclosed = (contact: Contact): boolean =>
  contact.addressing === 'lid' || contact.lidHidden !== true;

/**
 * The Signal identity a contact sends from: its phone (device 0) or one of its companions (`:N`). Switching the
 * addressing mode never touches these, so the ratchet continues across the switch, as it does for real users.
 */
export const contactPeer = (contact: Contact, deviceId = 0): SignalPeer | undefined =>
  deviceId === 0 ? contact.peer : contact.companions?.get(deviceId);

/** Links a companion (WhatsApp Web, say) to a contact's phone: a new device id with its own Signal identity. */
export const addContactCompanion = (contact: Contact): number => {
  const companions = (contact.companions ??= new Map());
  const deviceId = Math.max(0, ...companions.keys()) + 1;
  companions.set(deviceId, new SignalPeer());
  return deviceId;
};

/** The contact's device ids, phone first: what usync lists. */
export const contactDeviceIds = (contact: Contact): number[] => [0, ...(contact.companions?.keys() ?? [])];

/**
 * A companion's receipt for a message the contact sent settles the contact's session with that companion: the
 * contact's phone sends `msg` from then on. So when the contact later switches to LID addressing it carries on
 * the ratchet that the companion holds under the phone number (case A of the dossier).
 */
export const settleContactSession = async (
  contact: Contact,
  entry: OutboxEntry,
  account: Account,
  device: LinkedDevice | undefined,
): Promise<void> => {
  if (!device) return;
  await contactPeer(contact, entry.fromDevice ?? 0)?.settle(account.phone, device.id);
};
