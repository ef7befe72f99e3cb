import type { Contact } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';

/**
 * How today's server names a contact as the sender of a 1:1 stanza: by phone number, or, once the contact is
 * migrated, by LID with the phone number beside it (`sender_pn`, no device) and `addressing_mode="lid"`.
 */
export const contactSenderAttrs = (contact: Contact): Record<string, string> =>
  contact.addressing === 'lid'
    ? { from: lidJid(contact.lid), sender_pn: pnJid(contact.phone), addressing_mode: 'lid' }
    : { from: pnJid(contact.phone) };
