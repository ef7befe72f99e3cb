/**
 * `contacts.profile`, `contacts.block`, `contacts.blocklist` on the session's socket. A contact without a
 * picture (or hiding it) answers the picture query with an error (404 item-not-found, 401 not-authorized): that is
 * "no picture", not a failure; the about text comes by usync's status protocol and the business profile by
 * `w:biz` (empty for a personal account).
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { HostRequestOf, HostResultOf } from '../../shared/contracts/host-request.js';
import { lidOfJid } from '../../shared/domain/contact-id.js';
import { jidToPhone } from '../../shared/domain/phone.js';

type ProfileSocket = Pick<WASocket, 'profilePictureUrl' | 'fetchStatus' | 'getBusinessProfile'>;

/** What a picture query answers when there is nothing to show the session. */
const NO_PICTURE = new Set([401, 404]);

export async function fetchContactProfile(
  socket: ProfileSocket,
  request: HostRequestOf<'contacts.profile'>,
): Promise<HostResultOf<'contacts.profile'>> {
  const [pictureUrl, about, business] = await Promise.all([
    picture(socket, request.jid),
    aboutText(socket, request.jid),
    socket.getBusinessProfile(request.jid),
  ]);
  const biz = business
    ? {
        ...(business.description ? { description: business.description } : {}),
        ...(business.category ? { category: business.category } : {}),
        ...(business.email ? { email: business.email } : {}),
        ...(business.website?.[0] ? { website: business.website[0] } : {}),
        ...(business.address ? { address: business.address } : {}),
      }
    : undefined;
  return {
    ...(pictureUrl ? { pictureUrl } : {}),
    ...(about ? { about } : {}),
    ...(biz ? { business: biz } : {}),
  };
}

async function picture(socket: ProfileSocket, jid: string): Promise<string | undefined> {
  try {
    return await socket.profilePictureUrl(jid, 'image');
  } catch (error) {
    // Baileys throws an IQ's `<error code>` as a Boom carrying the code in `data`.
    const code = (error as { data?: unknown }).data;
    if (typeof code === 'number' && NO_PICTURE.has(code)) return undefined;
    throw error;
  }
}

async function aboutText(socket: ProfileSocket, jid: string): Promise<string | undefined> {
  const list = (await socket.fetchStatus(jid)) ?? [];
  const status = (list[0] as { status?: { status?: unknown } } | undefined)?.status?.status;
  return typeof status === 'string' && status.length > 0 ? status : undefined;
}

export async function updateBlock(
  socket: Pick<WASocket, 'updateBlockStatus'>,
  request: HostRequestOf<'contacts.block'>,
): Promise<HostResultOf<'contacts.block'>> {
  await socket.updateBlockStatus(request.jid, request.action);
  return { sent: true };
}

export async function fetchBlocklist(
  socket: Pick<WASocket, 'fetchBlocklist' | 'signalRepository'>,
): Promise<HostResultOf<'contacts.blocklist'>> {
  const jids = (await socket.fetchBlocklist()).filter((j): j is string => typeof j === 'string');
  const items = await Promise.all(
    jids.map(async (jid) => {
      const phone = jidToPhone(jid);
      if (phone) return { phone };
      const lid = lidOfJid(jid);
      if (!lid) return null;
      // Today's server lists LIDs: name the number too when the session's account knows it.
      const pn = await socket.signalRepository.lidMapping.getPNForLID(jid).catch(() => null);
      const known = pn ? jidToPhone(pn) : null;
      return known ? { phone: known, lid } : { lid };
    }),
  );
  return { items: items.filter((i) => i !== null) };
}
