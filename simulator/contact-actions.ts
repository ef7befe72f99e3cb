/**
 * What a simulated contact can send beyond text, reactions and media (issue #15): a location, a contact card, a
 * poll, a vote on an account's poll, an edit or a revoke of its own message. One flow per file in `flows/`;
 * this class resolves the parties and is what `WhatsAppSimulator.contactActions` and the control routes call.
 */
import type { Account, Contact, OutboxEntry } from './world/types.js';
import type { SimContext } from './flows/context.js';
import { contactSendsCard, type ContactCardInput } from './flows/contact-card.js';
import { contactEdits } from './flows/contact-edit.js';
import { contactSendsLocation, type ContactLocation } from './flows/contact-location.js';
import { contactSendsPoll, type ContactPoll } from './flows/contact-poll.js';
import { contactRevokes } from './flows/contact-revoke.js';
import { contactVotes } from './flows/contact-vote.js';
import { normalizePhone } from './world/world.js';

export class ContactActions {
  constructor(private readonly ctx: SimContext) {}

  sendLocation(from: string, to: string, location: ContactLocation): Promise<OutboxEntry> {
    return contactSendsLocation(this.ctx, this.#contact(from), this.#account(to), location);
  }

  sendContactCard(from: string, to: string, card: ContactCardInput): Promise<OutboxEntry> {
    return contactSendsCard(this.ctx, this.#contact(from), this.#account(to), card);
  }

  sendPoll(from: string, to: string, poll: ContactPoll): Promise<OutboxEntry> {
    return contactSendsPoll(this.ctx, this.#contact(from), this.#account(to), poll);
  }

  /** Contact `from` votes `options` (names; [] withdraws) on poll `pollId` that account `to` sent it. */
  vote(from: string, to: string, pollId: string, options: string[]): Promise<OutboxEntry> {
    return contactVotes(this.ctx, this.#contact(from), this.#account(to), pollId, options);
  }

  edit(from: string, to: string, messageId: string, text: string): Promise<OutboxEntry> {
    return contactEdits(this.ctx, this.#contact(from), this.#account(to), messageId, text);
  }

  /** `unchecked`: any id, also the account's own message (a modified client; the host must refuse it). */
  revoke(
    from: string,
    to: string,
    messageId: string,
    options: { unchecked?: boolean } = {},
  ): Promise<OutboxEntry> {
    return contactRevokes(this.ctx, this.#contact(from), this.#account(to), messageId, options);
  }

  #contact(phone: string): Contact {
    return this.ctx.world.ensureContact(normalizePhone(phone));
  }

  #account(phone: string): Account {
    return this.ctx.world.ensureAccount(normalizePhone(phone));
  }
}
