/**
 * Presence requests on the session's socket: online/offline for the account, a chat state ("typing...") in a 1:1
 * chat, a subscription to a contact's presence. WhatsApp acknowledges none of them, so "sent" is all there is.
 */
import type { WASocket } from '@whiskeysockets/baileys';
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

export async function sendChatState(
  socket: Pick<WASocket, 'sendPresenceUpdate'>,
  request: HostRequestOf<'chat.typing'>,
): Promise<Sent> {
  await socket.sendPresenceUpdate(request.state, request.jid);
  return SENT;
}

export async function subscribePresence(
  socket: Pick<WASocket, 'presenceSubscribe'>,
  request: HostRequestOf<'presence.subscribe'>,
): Promise<Sent> {
  await socket.presenceSubscribe(request.jid);
  return SENT;
}
