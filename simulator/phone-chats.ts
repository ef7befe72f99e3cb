/**
 * The account's phone changing chats through app state, and its view of them (docs/simulator.md, "App state");
 * and editing or revoking the account's messages in a chat.
 * This class resolves the parties and is what `WhatsAppSimulator.phoneChats` and the control routes call.
 */
import { jidDecode } from '@whiskeysockets/baileys';
import { SimulatorError } from './errors.js';
import type { SimContext } from './flows/context.js';
import {
  phoneChatFlags,
  phoneModifiesChat,
  type PhoneChatChange,
  type PhoneChatFlags,
  type PhonePatchOptions,
} from './flows/phone-app-state.js';
import { phoneChangesMessage, type PhoneMessageChange } from './flows/phone-message-actions.js';
import type { SyncdCollectionName } from './world/syncd.js';
import type { Account, InboxEntry } from './world/types.js';
import { normalizePhone, pnJid } from './world/world.js';

export class PhoneChats {
  constructor(private readonly ctx: SimContext) {}

  /** Account `phone`'s phone changes its chat `chat` (a phone number or a jid). */
  modify(
    phone: string,
    chat: string,
    change: PhoneChatChange,
    options: PhonePatchOptions = {},
  ): Promise<{ collection: SyncdCollectionName; version: number }> {
    return phoneModifiesChat(this.ctx, this.#account(phone), chatJidOf(chat), change, options);
  }

  /**
   * Account `phone`'s phone edits or revokes message `messageId` the account sent to contact `contact` (any of
   * its devices may have sent it); the contact's inbox and the account's companions get the change.
   */
  changeMessage(
    phone: string,
    contact: string,
    messageId: string,
    change: PhoneMessageChange,
  ): Promise<InboxEntry> {
    const found = this.ctx.world.contacts.get(normalizePhone(contact));
    if (!found) throw new SimulatorError(404, 'unknown_contact', `no contact ${contact}`);
    return phoneChangesMessage(this.ctx, this.#account(phone), found, messageId, change);
  }

  /** The chats' flags as account `phone`'s phone reads them from the stored patches. */
  flags(phone: string): Promise<PhoneChatFlags[]> {
    return phoneChatFlags(this.ctx, this.#account(phone));
  }

  #account(phone: string): Account {
    const account = this.ctx.world.account(normalizePhone(phone));
    if (!account) throw new SimulatorError(404, 'unknown_account', `no account ${phone}`);
    return account;
  }
}

/** A bare number is the contact's phone-number chat; a jid is kept (without a device). */
const chatJidOf = (chat: string): string => {
  if (!chat.includes('@')) return pnJid(normalizePhone(chat));
  const decoded = jidDecode(chat);
  if (!decoded?.user) throw new SimulatorError(400, 'bad_chat', `not a chat jid: ${chat}`);
  return `${decoded.user}@${decoded.server}`;
};
