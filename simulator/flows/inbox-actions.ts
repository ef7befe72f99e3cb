import { proto } from '@whiskeysockets/baileys';
import type { Contact } from '../world/types.js';
import type { SimContext } from './context.js';

const { Type } = proto.Message.ProtocolMessage;

/**
 * What a contact's phone does with an edit or a revoke from an account: the message it names (an earlier one
 * from the same account) shows the new text, keeping the earlier ones in `editHistory`, or is shown deleted
 * (`revoked`, text and content cleared). A protocol message naming anything else changes nothing. The protocol
 * message itself still lands in the inbox as a `protocol` entry, as before.
 */
export const applyToInbox = (
  ctx: SimContext,
  contact: Contact,
  accountPhone: string,
  decrypted: proto.IMessage,
): void => {
  const protocol = decrypted.protocolMessage ?? decrypted.editedMessage?.message?.protocolMessage;
  const targetId = protocol?.key?.id;
  if (!protocol || !targetId) return;
  const target = contact.inbox.find((e) => e.id === targetId && e.from.split(/[:@]/)[0] === accountPhone);
  if (!target || target.revoked) return;
  if (protocol.type === Type.REVOKE) {
    target.revoked = true;
    delete target.text;
    target.content = {};
    ctx.events.emit('inbox-revoked', { contact: contact.phone, id: targetId });
    return;
  }
  if (protocol.type !== Type.MESSAGE_EDIT) return;
  const edited = protocol.editedMessage;
  const text = edited?.conversation ?? edited?.extendedTextMessage?.text ?? undefined;
  if (text === undefined || text === null) return;
  target.editHistory = [...(target.editHistory ?? []), ...(target.text !== undefined ? [target.text] : [])];
  target.text = text;
  target.edited = true;
  ctx.events.emit('inbox-edited', { contact: contact.phone, id: targetId, text });
};
