/**
 * A contact's profile and the account's block list, as the server answers them:
 * - `w:profile:picture` `<picture type query="url">` for a contact: `<picture id url type>` when it set one,
 *   else 404 `item-not-found` (as for a contact without a picture, or one hiding it);
 * - usync `status`: the contact's about text (answered in flows/usync.ts from `aboutOf`);
 * - `w:biz` `<business_profile><profile jid>`: the business profile of a business contact, or an empty
 *   `<business_profile>` for anyone else;
 * - `blocklist`: `get` lists the account's blocked contacts (`<item jid=<lid>@lid>`), `set` `<item action jid
 *   pn_jid?>` blocks or unblocks one. A blocked contact's messages are not delivered to the account
 *   (flows/receive.ts asks `isBlocked`): its phone shows one tick, as WhatsApp does.
 */
import { childOf, iqError, iqResult, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Contact } from '../world/types.js';
import { lidJid } from '../world/world.js';
import { requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';

export interface BusinessProfile {
  description?: string;
  category?: string;
  email?: string;
  website?: string;
  address?: string;
}

export interface ContactProfile {
  /** The about text (`status` in usync). */
  about?: string;
  /** Where the contact's picture is served (its id is the URL's last segment). */
  picture?: { id: string; url: string };
  business?: BusinessProfile;
}

/** Profiles by contact phone and block lists by account phone (the world's social state). */
export class ProfileState {
  readonly profiles = new Map<string, ContactProfile>();
  readonly blocked = new Map<string, Set<string>>();

  isBlocked(accountPhone: string, contactPhone: string): boolean {
    return this.blocked.get(accountPhone)?.has(contactPhone) ?? false;
  }
}

export const aboutOf = (ctx: SimContext, contact: Contact): string | undefined =>
  ctx.profiles.profiles.get(contact.phone)?.about;

const contactByJid = (ctx: SimContext, jid: string | undefined): Contact | undefined => {
  const party = jid ? ctx.world.resolve(jid) : undefined;
  return party && 'contact' in party ? party.contact : undefined;
};

export const onProfilePicture = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const contact = contactByJid(ctx, iq.attrs.target);
  const picture = contact ? ctx.profiles.profiles.get(contact.phone)?.picture : undefined;
  if (!picture) {
    await send(session, iqError(iq, 404, 'item-not-found'));
    return;
  }
  const type = childOf(iq, 'picture')?.attrs.type ?? 'preview';
  await send(session, iqResult(iq, [node('picture', { id: picture.id, url: picture.url, type })]));
};

const textNode = (tag: string, value: string | undefined): BinaryNode[] =>
  value === undefined ? [] : [node(tag, {}, Buffer.from(value))];

export const onBusinessProfile = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const jid = childOf(childOf(iq, 'business_profile'), 'profile')?.attrs.jid;
  const contact = contactByJid(ctx, jid);
  const business = contact ? ctx.profiles.profiles.get(contact.phone)?.business : undefined;
  const profiles = business
    ? [
        node('profile', { jid: jid ?? '' }, [
          ...textNode('address', business.address),
          ...textNode('description', business.description),
          ...textNode('website', business.website),
          ...textNode('email', business.email),
          ...(business.category
            ? [node('categories', {}, [node('category', { id: '1' }, Buffer.from(business.category))])]
            : []),
        ]),
      ]
    : [];
  await send(session, iqResult(iq, [node('business_profile', { v: '244' }, profiles)]));
};

export const onBlocklistGet = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const { account } = requireLoggedIn(session);
  const items = [...(ctx.profiles.blocked.get(account.phone) ?? [])].flatMap((phone) => {
    const contact = ctx.world.contacts.get(phone);
    return contact ? [node('item', { jid: lidJid(contact.lid) })] : [];
  });
  await send(session, iqResult(iq, [node('list', {}, items)]));
};

export const onBlocklistSet = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const { account } = requireLoggedIn(session);
  const item = childOf(iq, 'item');
  const contact = contactByJid(ctx, item?.attrs.jid) ?? contactByJid(ctx, item?.attrs.pn_jid);
  const action = item?.attrs.action;
  if (!contact || (action !== 'block' && action !== 'unblock')) {
    await send(session, iqError(iq, 400, 'bad-request'));
    return;
  }
  const list = ctx.profiles.blocked.get(account.phone) ?? new Set<string>();
  if (action === 'block') list.add(contact.phone);
  else list.delete(contact.phone);
  ctx.profiles.blocked.set(account.phone, list);
  ctx.events.emit('blocklist', { phone: account.phone, contact: contact.phone, action });
  await send(session, iqResult(iq));
};
