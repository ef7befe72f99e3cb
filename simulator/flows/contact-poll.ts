import { randomBytes } from 'node:crypto';
import type { Account, Contact, OutboxEntry } from '../world/types.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

export interface ContactPoll {
  name: string;
  options: string[];
  /** How many options a voter may pick; 0 = any (WhatsApp's convention). */
  selectableCount: number;
}

/**
 * A contact creates a poll: `pollCreationMessageV3` for single choice, `pollCreationMessage` otherwise, as the
 * phone apps send them, with a fresh 32-byte `messageSecret` (what votes on it are encrypted with).
 */
export const contactSendsPoll = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  poll: ContactPoll,
): Promise<OutboxEntry> => {
  const secret = randomBytes(32);
  const creation = {
    name: poll.name,
    options: poll.options.map((optionName) => ({ optionName })),
    selectableOptionsCount: poll.selectableCount,
  };
  const sent = await contactSendsMessage(
    ctx,
    contact,
    account,
    {
      messageContextInfo: { messageSecret: secret },
      ...(poll.selectableCount === 1
        ? { pollCreationMessageV3: creation }
        : { pollCreationMessage: creation }),
    },
    { type: 'poll', text: poll.name },
    'poll',
  );
  // The contact's phone keeps the secret, so the contact can vote on its own poll (flows/contact-vote.ts).
  ctx.world.contactPolls.set(sent.id, { contact: contact.phone, secret, options: poll.options });
  return sent;
};
