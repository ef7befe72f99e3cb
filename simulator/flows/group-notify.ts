import { jidDecode } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { node, nowSeconds } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { groupJid } from '../world/groups.js';
import type { Group, GroupRole } from '../world/groups.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import { newServerIqId, pushToDevice } from './context.js';
import type { SimContext } from './context.js';

/** Someone who can be in a group: an account (whose companions Baileys plays) or a simulated contact. */
export interface Member {
  phone: string;
  lid: string;
  name: string;
  account?: Account;
  contact?: Contact;
}

const asMember = (who: { account: Account } | { contact: Contact }): Member => {
  const party = 'account' in who ? who.account : who.contact;
  return { phone: party.phone, lid: party.lid, name: party.name, ...who };
};

/** The member behind a phone number (an existing account or contact); undefined if nobody has it. */
export const memberOf = (ctx: SimContext, phone: string): Member | undefined => {
  const account = ctx.world.account(phone);
  if (account) return asMember({ account });
  const contact = ctx.world.contacts.get(phone);
  return contact ? asMember({ contact }) : undefined;
};

/** The member a jid names (phone number or LID, device ignored). */
export const memberByJid = (ctx: SimContext, jid: string): Member | undefined => {
  const found = ctx.world.resolve(jid);
  return found ? asMember(found) : undefined;
};

export const requireMember = (ctx: SimContext, phone: string): Member => {
  const m = memberOf(ctx, phone);
  if (!m) throw new SimulatorError(404, 'unknown_member', `nobody has the number ${phone}`);
  return m;
};

export const requireGroup = (ctx: SimContext, id: string): Group => {
  const group = ctx.world.groups.get(id);
  if (!group) throw new SimulatorError(404, 'unknown_group', `no group ${id}`);
  return group;
};

/**
 * A participant as today's server lists it in a LID-addressed group: `jid` is the LID, `phone_number` the phone
 * number (both without device), `type` only for admins.
 */
export const participantNode = (
  m: Member,
  role?: GroupRole,
  extra: Record<string, string> = {},
): BinaryNode =>
  node('participant', {
    jid: lidJid(m.lid),
    phone_number: pnJid(m.phone),
    ...(role && role !== 'member' ? { type: role } : {}),
    ...extra,
  });

/** Who acted, as a group stanza names them: `participant` (LID, with device when one sent it) and `participant_pn`. */
export const actorAttrs = (m: Member, device?: number): Record<string, string> => ({
  participant: lidJid(m.lid, device === 0 ? undefined : device),
  participant_pn: pnJid(m.phone),
  addressing_mode: 'lid',
});

/** Where a notification about `group` goes: every device of every member account, plus `also` (just removed). */
const recipientAccounts = (ctx: SimContext, group: Group, also: string[]): Account[] => {
  const phones = new Set([...group.participants.keys(), ...also]);
  return [...phones].flatMap((p) => {
    const account = ctx.world.account(p);
    return account ? [account] : [];
  });
};

/**
 * `<notification type="w:gp2">` from the group to every linked device of every member account (the acting device
 * included: each device keeps its own copy of the group), queued for offline ones, as today's server does on
 * every change. `also` adds members who are no longer in the group but must hear of it (the removed).
 */
export const notifyGroup = (
  ctx: SimContext,
  group: Group,
  actor: Member,
  children: BinaryNode[],
  also: string[] = [],
): void => {
  const n = node(
    'notification',
    {
      from: groupJid(group.id),
      type: 'w:gp2',
      id: newServerIqId(),
      t: nowSeconds(),
      notify: actor.name,
      ...actorAttrs(actor),
    },
    children,
  );
  for (const account of recipientAccounts(ctx, group, also)) {
    for (const device of account.devices.values()) pushToDevice(ctx, account, device, n);
  }
  ctx.events.emit('group-notification', {
    group: groupJid(group.id),
    actor: actor.phone,
    change: children.map((c) => c.tag).join(','),
  });
};

/** Phone numbers a request names: `<participant jid>` children, by phone-number jid or LID. */
export const phonesNamed = (ctx: SimContext, jids: string[]): { jid: string; member?: Member }[] =>
  jids.map((jid) => {
    const member = memberByJid(ctx, jid);
    if (!member && jidDecode(jid)?.server === 's.whatsapp.net' && ctx.options.autoCreateContacts) {
      const user = jidDecode(jid)?.user ?? '';
      if (/^\d{6,15}$/.test(user))
        return { jid, member: asMember({ contact: ctx.world.ensureContact(user) }) };
    }
    return member ? { jid, member } : { jid };
  });
