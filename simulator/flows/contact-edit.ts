import { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import type { Account, Contact, OutboxEntry } from '../world/types.js';
import { pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

/**
 * A contact edits a text message it sent to an account: a `protocolMessage` of type `MESSAGE_EDIT` naming the
 * message (from the contact's side of the chat: `fromMe`), with the new text as `editedMessage`. The contact's
 * outbox entry shows the new text. Only its own text messages can be edited, as on the phone.
 */
export const contactEdits = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  messageId: string,
  text: string,
): Promise<OutboxEntry> => {
  const original = contact.outbox.find((e) => e.id === messageId && e.to === account.phone);
  if (!original)
    throw new SimulatorError(404, 'unknown_message', `${contact.phone} sent no message ${messageId}`);
  if (original.type !== 'text' || original.revoked)
    throw new SimulatorError(
      409,
      'not_editable',
      `message ${messageId} is not a text message that can be edited`,
    );
  const sent = await contactSendsMessage(
    ctx,
    contact,
    account,
    {
      protocolMessage: {
        key: { remoteJid: pnJid(account.phone), fromMe: true, id: messageId },
        type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
        editedMessage: { conversation: text },
        timestampMs: Date.now(),
      },
    },
    { type: 'protocol', text },
  );
  original.text = text;
  original.edited = true;
  return sent;
};
