/**
 * A chat as the API and `chat.updated` show it: a group's chat named by the group's subject as stored from
 * WhatsApp (`groups` table), since the chat item itself only knows the last sender's name. Every path that hands
 * out a chat goes through here (the list, a mark-read, a chat-state change, the host's `chat.updated`), so a
 * console never swaps a group's subject for its id.
 */
import type { Chat } from '../domain/chat.js';
import { isGroupJid } from '../domain/phone.js';
import type { GroupRepository } from '../ports/group-repository.js';

export async function namedChat(groups: Pick<GroupRepository, 'get'> | undefined, chat: Chat): Promise<Chat> {
  if (!groups || !isGroupJid(chat.chatJid)) return chat;
  const group = await groups.get(chat.sessionId, chat.chatJid);
  return group?.subject ? { ...chat, name: group.subject } : chat;
}
