import { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import type { Account, Contact, OutboxEntry } from '../world/types.js';
import { pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

/**
 * A contact deletes a message it sent to an account for everyone: a `protocolMessage` of type `REVOKE` naming
 * the message from the contact's side of the chat (`fromMe`). Its outbox entry is marked revoked.
 *
 * `unchecked` (in-process only) sends the revoke for any id, also one the account sent: what a modified client
 * could do, since the server cannot see inside the encrypted message. The receiving client must refuse it.
 */
export const contactRevokes = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  messageId: string,
  options: { unchecked?: boolean } = {},
): Promise<OutboxEntry> => {
  const original = contact.outbox.find((e) => e.id === messageId && e.to === account.phone);
  if (!original && !options.unchecked)
    throw new SimulatorError(404, 'unknown_message', `${contact.phone} sent no message ${messageId}`);
  const sent = await contactSendsMessage(
    ctx,
    contact,
    account,
    {
      protocolMessage: {
        key: { remoteJid: pnJid(account.phone), fromMe: original !== undefined, id: messageId },
        type: proto.Message.ProtocolMessage.Type.REVOKE,
      },
    },
    { type: 'protocol' },
  );
  if (original) {
    original.revoked = true;
    delete original.text;
  }
  return sent;
};
