import { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import type { Account, Contact, InboxEntry } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { newMessageId } from './context.js';
import type { SimContext } from './context.js';
import { applyToInbox } from './inbox-actions.js';
import { deliverFromPeer } from './receive.js';

/** What the phone's user does to a message the account sent: a new text, or "Delete for everyone". */
export type PhoneMessageChange = { action: 'edit'; text: string } | { action: 'revoke' };

/**
 * The account's phone edits or revokes a message the account sent to a contact (from any of its devices: a
 * linked companion's sends reach the phone too). The protocol message goes to the contact, whose inbox shows it
 * (flows/inbox-actions.ts), and, as everything the phone sends, to the account's linked companions as a
 * `deviceSentMessage` copy: `from` the account's own jid with `recipient` the contact, which Baileys reads as our
 * own (`fromMe`) message of the contact's chat. Offline companions get it at their next login.
 */
export const phoneChangesMessage = async (
  ctx: SimContext,
  account: Account,
  contact: Contact,
  messageId: string,
  change: PhoneMessageChange,
): Promise<InboxEntry> => {
  const target = contact.inbox.find((e) => e.id === messageId && e.from.split(/[:@]/)[0] === account.phone);
  if (!target)
    throw new SimulatorError(
      404,
      'unknown_message',
      `${account.phone} sent ${contact.phone} no message ${messageId}`,
    );
  if (target.revoked || (change.action === 'edit' && target.type !== 'text'))
    throw new SimulatorError(409, 'not_editable', `message ${messageId} cannot be changed any more`);
  const contactJid = pnJid(contact.phone);
  const key = { remoteJid: contactJid, fromMe: true, id: messageId };
  const { Type } = proto.Message.ProtocolMessage;
  const protocolMessage: proto.Message.IProtocolMessage =
    change.action === 'edit'
      ? {
          key,
          type: Type.MESSAGE_EDIT,
          editedMessage: { conversation: change.text },
          timestampMs: Date.now(),
        }
      : { key, type: Type.REVOKE };
  applyToInbox(ctx, contact, account.phone, { protocolMessage });
  const id = newMessageId();
  for (const device of account.devices.values()) {
    await deliverFromPeer(
      ctx,
      account.primary,
      account,
      device,
      { deviceSentMessage: { destinationJid: contactJid, message: { protocolMessage } } },
      { id, from: pnJid(account.phone), recipient: contactJid, type: 'text' },
    );
  }
  ctx.events.emit('phone-message-change', {
    phone: account.phone,
    contact: contact.phone,
    id: messageId,
    ...change,
  });
  return { ...target };
};
