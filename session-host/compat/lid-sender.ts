/**
 * Who sent an incoming message, after the LID migration: WhatsApp addresses a migrated contact as
 * `<lid>@lid` with `sender_pn` beside it (Baileys: `remoteJid` / `remoteJidAlt`, `participant` /
 * `participantAlt` in groups), a phone-number-addressed one with `sender_lid`, and sometimes reveals no number
 * at all. The message names both ids when known (`from: {phone?, lid?}`), the pair the stanza revealed is
 * learned, and the chat is the phone-number jid when the number is known, else the LID jid.
 */
import type { WAMessageKey } from '@whiskeysockets/baileys';
import { lidOfJid, lidToJid, type ContactId } from '../../shared/domain/contact-id.js';
import { isLidJid, jidToPhone, normalizeJid, phoneToJid } from '../../shared/domain/phone.js';
import type { SessionLidMap } from './lid-map.js';

export interface InboundParties {
  /** Normalised: a group jid, the contact's phone-number jid, or its LID jid when the number is unknown. */
  readonly chatJid: string;
  /** Normalised jid of who wrote it (the participant in a group), as the stanza addressed them. */
  readonly senderJid: string;
  /** Absent when neither id is known (a sender jid of another kind). */
  readonly from?: ContactId;
}

export async function inboundParties(map: SessionLidMap, k: WAMessageKey): Promise<InboundParties> {
  const remoteJid = k.remoteJid ?? '';
  const participant = k.participant || undefined; // Baileys gives "" in one-to-one chats
  const oneToOne = participant === undefined;
  const senderJid = normalizeJid(participant ?? remoteJid);
  const senderAlt = (oneToOne ? k.remoteJidAlt : k.participantAlt) ?? undefined;

  const jids = [senderJid, senderAlt];
  let lid = jids.map(lidOfJid).find((l) => l !== null) ?? null;
  let phone = jids.map((j) => (j ? jidToPhone(j) : null)).find((p) => p !== null) ?? null;
  if (lid && phone) await map.learn([{ lid: lidToJid(lid), pn: phoneToJid(phone) }]);
  else if (lid) phone = await map.phoneFor(lid);
  else if (phone) lid = await map.lidFor(phone, { lookup: false });

  const from: ContactId | undefined =
    phone || lid ? { ...(phone ? { phone } : {}), ...(lid ? { lid } : {}) } : undefined;
  const chatJid =
    oneToOne && isLidJid(remoteJid) && phone ? phoneToJid(phone) : normalizeJid(remoteJid || senderJid);
  return { chatJid, senderJid, ...(from ? { from } : {}) };
}
