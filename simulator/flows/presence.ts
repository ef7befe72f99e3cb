/**
 * Presence and chat state (typing), as the server relays them:
 * - a companion's `<presence type="available|unavailable">` sets its account online or offline (what the
 *   account's contacts would see);
 * - a companion's `<chatstate to=contact><composing|paused/>` (recording = `composing media="audio"`) is shown to
 *   that contact: recorded per contact, newest last, so a test reads what the contact saw;
 * - a companion's `<presence type="subscribe" to=contact>` subscribes its account to the contact: the server
 *   answers with the contact's presence now and relays its later presence and chat states to the account's
 *   connected companions (only subscribers get them, as on WhatsApp);
 * - the control side plays the contact: it goes online/offline (`last` seen when offline) or types in its chat
 *   with an account.
 */
import { jidDecode } from '@whiskeysockets/baileys';
import { childrenOf, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import { pushToOnlineCompanions, requireLoggedIn } from './context.js';
import type { Session, SimContext } from './context.js';

export type ContactPresence = 'available' | 'unavailable';
export type ChatStateKind = 'composing' | 'recording' | 'paused';

const epochSeconds = (): number => Math.floor(Date.now() / 1000);

/** A chat state an account's companion sent to a contact, as the contact's phone showed it. */
export interface ChatStateSeen {
  readonly from: string;
  /** The jid the companion addressed it to: the contact's phone-number jid or its LID jid. */
  readonly to: string;
  readonly state: ChatStateKind;
  readonly at: number;
}

/** Presence state of the simulated world (kept apart from the accounts and contacts it talks about). */
export class PresenceState {
  /** Account phone -> whether its companions said it is online. */
  readonly accounts = new Map<string, ContactPresence>();
  /** Contact phone -> its presence and when it was last seen (epoch s). */
  readonly contacts = new Map<string, { presence: ContactPresence; lastSeen: number }>();
  /** Contact phone -> the chat states accounts sent it, oldest first. */
  readonly seen = new Map<string, ChatStateSeen[]>();
  /** Account phone -> the contacts (phones) it subscribed to. */
  readonly subscriptions = new Map<string, Set<string>>();

  /**
   * Subscriptions live as long as the connection that made them, as on WhatsApp: when the account has no
   * companion connected any more they are gone, and a client that comes back must subscribe again.
   */
  forgetSubscriptionsIfOffline(phone: string, online: Iterable<string>): void {
    for (const key of online) if (key.startsWith(`${phone}:`)) return;
    this.subscriptions.delete(phone);
  }

  contactPresence(phone: string): { presence: ContactPresence; lastSeen: number } {
    return this.contacts.get(phone) ?? { presence: 'unavailable', lastSeen: epochSeconds() - 3600 };
  }
}

/** How the server names the contact to an account: by LID once it is LID-addressed, else by phone number. */
const contactJid = (contact: Contact): string =>
  contact.addressing === 'lid' ? lidJid(contact.lid) : pnJid(contact.phone);

const presenceNode = (contact: Contact, state: { presence: ContactPresence; lastSeen: number }): BinaryNode =>
  node('presence', {
    from: contactJid(contact),
    type: state.presence,
    ...(state.presence === 'unavailable' ? { last: String(state.lastSeen) } : {}),
  });

const stateOf = (child: BinaryNode | undefined): ChatStateKind | undefined => {
  if (child?.tag === 'paused') return 'paused';
  if (child?.tag === 'composing') return child.attrs.media === 'audio' ? 'recording' : 'composing';
  return undefined;
};

/** A companion's `<presence>`: online/offline for its account, or a subscription to a contact. */
export const onClientPresence = async (
  ctx: SimContext,
  session: Session,
  stanza: BinaryNode,
): Promise<void> => {
  const { account } = requireLoggedIn(session);
  const { type, to } = stanza.attrs;
  if (type === 'available' || type === 'unavailable') {
    ctx.presence.accounts.set(account.phone, type);
    ctx.events.emit('presence', { phone: account.phone, presence: type });
    return;
  }
  if (type !== 'subscribe' || !to) return;
  const party = ctx.world.resolve(to);
  if (!party || !('contact' in party)) return;
  const { contact } = party;
  const subscribed = ctx.presence.subscriptions.get(account.phone) ?? new Set<string>();
  subscribed.add(contact.phone);
  ctx.presence.subscriptions.set(account.phone, subscribed);
  ctx.events.emit('presence-subscribe', { phone: account.phone, contact: contact.phone });
  // The server answers a subscription with the contact's presence as it stands.
  pushToOnlineCompanions(ctx, account, presenceNode(contact, ctx.presence.contactPresence(contact.phone)));
};

/** A companion's `<chatstate to=contact>`: the contact's phone shows "typing..." (or "recording audio..."). */
export const onClientChatState = async (
  ctx: SimContext,
  session: Session,
  stanza: BinaryNode,
): Promise<void> => {
  const { account } = requireLoggedIn(session);
  const to = stanza.attrs.to;
  const state = stateOf(childrenOf(stanza)[0]);
  if (!to || !state || jidDecode(to)?.server === 'g.us') return;
  const party = ctx.world.resolve(to);
  if (!party || !('contact' in party)) return;
  const seen: ChatStateSeen = { from: account.phone, to, state, at: Date.now() };
  const list = ctx.presence.seen.get(party.contact.phone) ?? [];
  list.push(seen);
  ctx.presence.seen.set(party.contact.phone, list);
  ctx.events.emit('chatstate', { contact: party.contact.phone, ...seen });
};

/** The accounts subscribed to `contact` (they get its presence and chat states). */
const subscribersOf = (ctx: SimContext, contact: Contact): Account[] =>
  [...ctx.presence.subscriptions.entries()]
    .filter(([, contacts]) => contacts.has(contact.phone))
    .flatMap(([phone]) => ctx.world.account(phone) ?? []);

/** The contact goes online or offline; its subscribers' connected companions are told. Returns how many. */
export const setContactPresence = (ctx: SimContext, contact: Contact, presence: ContactPresence): number => {
  const state = { presence, lastSeen: epochSeconds() };
  ctx.presence.contacts.set(contact.phone, state);
  return subscribersOf(ctx, contact).reduce(
    (n, account) => n + pushToOnlineCompanions(ctx, account, presenceNode(contact, state)),
    0,
  );
};

/** The contact types (or records audio, or stops) in its chat with `account`; told if `account` subscribed. */
export const contactChatState = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  state: ChatStateKind,
): number => {
  if (!ctx.presence.subscriptions.get(account.phone)?.has(contact.phone)) return 0;
  const child =
    state === 'recording'
      ? node('composing', { media: 'audio' })
      : node(state === 'paused' ? 'paused' : 'composing');
  return pushToOnlineCompanions(ctx, account, node('chatstate', { from: contactJid(contact) }, [child]));
};
