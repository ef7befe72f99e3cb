/**
 * `chat.modify`: archive, pin, mute or mark a chat unread through WhatsApp's app state (Baileys `chatModify`,
 * one syncd patch per field). WhatsApp tells the account's other devices (its phone among them); Baileys also
 * reports the change on this socket as `chats.update`, which `chat-state-events.ts` stores and publishes, the
 * same path as a change made on the phone.
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { HostRequestOf, HostResultOf } from '../../shared/contracts/host-request.js';

type Sent = HostResultOf<'chat.modify'>;

export async function modifyChat(
  socket: Pick<WASocket, 'chatModify' | 'authState'>,
  request: HostRequestOf<'chat.modify'>,
): Promise<Sent> {
  // Without the phone's app-state key no patch can be made (Baileys would throw a bare "key not present").
  if (!socket.authState.creds.myAppStateKeyId) {
    throw new Error(
      "the phone has not shared its app-state key yet; try again once the session's sync is done",
    );
  }
  const { jid } = request;
  if (request.archived !== undefined)
    await socket.chatModify({ archive: request.archived, lastMessages: [] }, jid);
  if (request.pinned !== undefined) await socket.chatModify({ pin: request.pinned }, jid);
  if (request.muteEndMs !== undefined) await socket.chatModify({ mute: request.muteEndMs }, jid);
  if (request.unread !== undefined) {
    await socket.chatModify({ markRead: !request.unread, lastMessages: [] }, jid);
  }
  return { sent: true };
}
