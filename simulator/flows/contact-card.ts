import type { Account, Contact, OutboxEntry } from '../world/types.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

export interface ContactCardInput {
  name: string;
  /** Digits with or without a leading +. */
  phones: string[];
}

/**
 * A contact shares a contact card: a vCard 3.0 as WhatsApp writes it, each number with `waid` (what makes it
 * tappable on the receiving phone).
 */
export const contactSendsCard = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  card: ContactCardInput,
): Promise<OutboxEntry> => {
  const name = card.name.replace(/([\\,;])/g, '\\$1');
  const tels = card.phones.map((p) => {
    const digits = p.replace(/^\+/, '');
    return `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`;
  });
  const vcard = ['BEGIN:VCARD', 'VERSION:3.0', `N:;${name};;;`, `FN:${name}`, ...tels, 'END:VCARD'].join(
    '\n',
  );
  return contactSendsMessage(
    ctx,
    contact,
    account,
    { contactMessage: { displayName: card.name, vcard } },
    { type: 'contacts', text: card.name },
    'media',
  );
};
