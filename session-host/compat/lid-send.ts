/**
 * Sends to LID-migrated contacts (dossier 4(d); Baileys #2683, OpenWA #717). Today's WhatsApp refuses a 1:1
 * message addressed to a migrated contact's phone-number jid with ack 463, and stock rc14 always addresses
 * `sendMessage(<pn>@s.whatsapp.net)` by phone number, even when it knows the LID. So the host addresses the
 * contact's LID jid whenever one is known (the session's map, else Baileys' `getLIDForPN`, which asks usync).
 *
 * Drop it when Baileys resolves PN -> LID itself in `relayMessage` for 1:1 sends.
 */
import { lidToJid } from '../../shared/domain/contact-id.js';
import { phoneToJid, type Phone } from '../../shared/domain/phone.js';
import type { SessionLidMap } from './lid-map.js';

/** The jid to hand `sendMessage` for a send to `phone`: the contact's LID jid when known, else its PN jid. */
export async function sendJidFor(map: SessionLidMap, phone: Phone): Promise<string> {
  const lid = await map.lidFor(phone, { lookup: true });
  return lid ? lidToJid(lid) : phoneToJid(phone);
}
