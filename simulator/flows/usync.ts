import { jidDecode } from '@whiskeysockets/baileys';
import { bufferOf, childOf, childrenNamed, childrenOf, iqResult, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid, PHONE_PATTERN, pnJid } from '../world/world.js';
import { send } from './context.js';
import type { Session, SimContext } from './context.js';
import { contactDeviceIds, isLidDisclosed } from './lid-addressing.js';
import { aboutOf } from './profile.js';

type Party = { contact: Contact } | { account: Account };

/** A user entry names someone by jid (pn or lid) or, for onWhatsApp, by phone inside <contact>. */
const resolveUser = (ctx: SimContext, user: BinaryNode): { jid: string; party?: Party } => {
  const byPhone = bufferOf(childOf(user, 'contact'))?.toString('utf8').replace(/^\+/, '');
  const jid = user.attrs.jid ?? (byPhone ? pnJid(byPhone) : '');
  let party = jid ? ctx.world.resolve(jid) : undefined;
  const decoded = jidDecode(jid);
  if (
    !party &&
    ctx.options.autoCreateContacts &&
    decoded?.server === 's.whatsapp.net' &&
    PHONE_PATTERN.test(decoded.user)
  ) {
    party = { contact: ctx.world.ensureContact(decoded.user) };
  }
  return party ? { jid, party } : { jid };
};

/**
 * Contacts have their phone plus any companions linked to it. An account lists its phone plus its linked companions; non-zero
 * devices carry key-index, without which Baileys drops them.
 */
const deviceList = (party: Party | undefined): BinaryNode[] => {
  if (!party) return [];
  if ('contact' in party)
    return contactDeviceIds(party.contact).map((id) =>
      node('device', id === 0 ? { id: '0' } : { id: String(id), 'key-index': String(id) }),
    );
  return [
    node('device', { id: '0' }),
    ...[...party.account.devices.values()].map((d) =>
      node('device', { id: String(d.id), 'key-index': String(d.keyIndex) }),
    ),
  ];
};

/** usync: who is on WhatsApp, their LIDs and their device lists. */
export const onUSync = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const usync = childOf(iq, 'usync');
  const wanted = new Set(childrenOf(childOf(usync, 'query')).map((n) => n.tag));
  const users = childrenNamed(childOf(usync, 'list'), 'user').map((user) => {
    const { jid, party } = resolveUser(ctx, user);
    const who = party ? ('contact' in party ? party.contact : party.account) : undefined;
    const content: BinaryNode[] = [];
    if (wanted.has('contact')) content.push(node('contact', { type: who ? 'in' : 'out' }));
    // A user asked for by LID is answered under that LID, as Baileys expects of the server (`requestedLidUsers`
    // in getUSyncDevices). It caches device lists under the user the answer names and looks them up under the
    // one it asked for: answering a LID query with the phone-number jid made every send to a LID miss the cache,
    // ask again and (rc14 re-keys every LID a usync names) build new Signal sessions each time (issue #14).
    // There is no other LID to tell then, so no `lid` child.
    const byLid = jidDecode(jid)?.server === 'lid';
    const lidKnown = party && 'contact' in party ? isLidDisclosed(party.contact) : true;
    if (wanted.has('lid') && who && lidKnown && !byLid) content.push(node('lid', { val: lidJid(who.lid) }));
    if (wanted.has('devices'))
      content.push(node('devices', {}, [node('device-list', {}, deviceList(party))]));
    if (wanted.has('status') && who) {
      const about = party && 'contact' in party ? aboutOf(ctx, party.contact) : undefined;
      content.push(node('status', { t: about ? '1767225600' : '0' }, Buffer.from(about ?? '')));
    }
    if (wanted.has('disappearing_mode') && who)
      content.push(node('disappearing_mode', { duration: '0', t: '0' }));
    return node('user', { jid: who && !byLid ? pnJid(who.phone) : jid }, content);
  });
  await send(
    session,
    iqResult(iq, [
      node('usync', { sid: usync?.attrs.sid ?? '', index: '0', last: 'true' }, [
        node('result', {}, []),
        node('list', {}, users),
      ]),
    ]),
  );
};
