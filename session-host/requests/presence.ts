/**
 * Presence requests on the session's socket: online/offline for the account, a chat state ("typing...") in a 1:1
 * chat, a subscription to a contact's presence. WhatsApp acknowledges none of them, so "sent" is all there is.
 */
import { jidNormalizedUser, type WASocket } from '@whiskeysockets/baileys';
import { USER_SERVER } from '../../shared/domain/phone.js';
import type { HostRequestOf, HostResultOf } from '../../shared/contracts/host-request.js';

type Sent = HostResultOf<'presence.set'>;
const SENT: Sent = { sent: true };

export async function setPresence(
  socket: Pick<WASocket, 'sendPresenceUpdate' | 'authState'>,
  request: HostRequestOf<'presence.set'>,
): Promise<Sent> {
  // rc14 drops an online/offline update silently while the account has no push name; say so instead.
  if (!socket.authState.creds.me?.name) {
    throw new Error('the account has no profile name yet; WhatsApp ignores its presence until it has one');
  }
  await socket.sendPresenceUpdate(request.presence);
  return SENT;
}

/**
 * A chat state goes where a message to the chat goes (session-host/compat/lid-send.ts): a contact named by number
 * is addressed by its LID when WhatsApp has one (Baileys' mapping, asking usync once), as WhatsApp's own clients
 * address a migrated chat; stock rc14 would use the phone-number jid it was given.
 */
export async function sendChatState(
  socket: Pick<WASocket, 'sendPresenceUpdate' | 'signalRepository'>,
  request: HostRequestOf<'chat.typing'>,
): Promise<Sent> {
  await socket.sendPresenceUpdate(request.state, await chatStateJid(socket, request.jid));
  return SENT;
}

async function chatStateJid(socket: Pick<WASocket, 'signalRepository'>, jid: string): Promise<string> {
  if (!jid.endsWith(`@${USER_SERVER}`)) return jid;
  const lid = await socket.signalRepository.lidMapping.getLIDForPN(jid).catch(() => null);
  return lid ? jidNormalizedUser(lid) : jid;
}

export async function subscribePresence(
  socket: Pick<WASocket, 'presenceSubscribe'>,
  request: HostRequestOf<'presence.subscribe'>,
): Promise<Sent> {
  await socket.presenceSubscribe(request.jid);
  return SENT;
}
