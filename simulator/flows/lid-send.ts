import { jidDecode } from '@whiskeysockets/baileys';
import type { BinaryNode } from '../wire/nodes.js';
import type { SimContext } from './context.js';

/** `NackCallerReachoutTimelocked`: what today's server answers a phone-number send to a LID-migrated contact. */
export const PN_SEND_TO_LID_CONTACT_ERROR = 463;

/**
 * Today's server refuses a one-to-one message a companion addresses to a contact's phone-number jid once that
 * contact is migrated to LID addressing (Baileys #2683, OpenWA #717): the ack carries error 463 and nothing is
 * delivered. The same message addressed to the contact's LID jid goes through. Undefined when the send may go on.
 */
export const pnSendRefusal = (ctx: SimContext, message: BinaryNode): number | undefined => {
  if (ctx.legacy.has('no-pn-send-refusal')) return undefined;
  const to = message.attrs.to ?? '';
  if (jidDecode(to)?.server !== 's.whatsapp.net') return undefined;
  const target = ctx.world.resolve(to);
  if (!target || !('contact' in target) || target.contact.addressing !== 'lid') return undefined;
  ctx.log('pn-addressed send to a lid-migrated contact refused', { contact: target.contact.phone });
  return PN_SEND_TO_LID_CONTACT_ERROR;
};
