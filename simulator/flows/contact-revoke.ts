import { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import type { Account, Contact, OutboxEntry } from '../world/types.js';
import { pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

/**
 * A contact deletes a message it sent to an account for everyone: a `protocolMessage` of type `REVOKE` naming
 * the message from the contact's side of the chat (`fromMe`). Its outbox entry is marked revoked.
 */
export const contactRevokes = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  messageId: string,
): Promise<OutboxEntry> => {
  const original = contact.outbox.find((e) => e.id === messageId && e.to === account.phone);
  if (!original)
    throw new SimulatorError(404, 'unknown_message', `${contact.phone} sent no message ${messageId}`);
  const sent = await contactSendsMessage(
    ctx,
    contact,
    account,
    {
      protocolMessage: {
        key: { remoteJid: pnJid(account.phone), fromMe: true, id: messageId },
        type: proto.Message.ProtocolMessage.Type.REVOKE,
      },
    },
    { type: 'protocol' },
  );
  original.revoked = true;
  delete original.text;
  return sent;
};
