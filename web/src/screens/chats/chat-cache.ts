/**
 * The chats list in the query cache: a `chat.updated` frame replaces (or adds) its chat and the list is sorted
 * by latest activity again, so a conversation jumps to the top without a refetch.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Chat } from '../../api/types';
import { queryKeys } from '../../live/query-keys';

export function sortByActivity(chats: readonly Chat[]): Chat[] {
  return [...chats].sort((a, b) => b.lastMessage.at.localeCompare(a.lastMessage.at));
}

export function applyChatUpdate(queryClient: QueryClient, sessionId: string, chat: Chat): void {
  queryClient.setQueryData<Chat[]>(queryKeys.chats(sessionId), (chats) =>
    chats === undefined ? chats : sortByActivity([chat, ...chats.filter((c) => c.chatJid !== chat.chatJid)]),
  );
}

/** A group's chat: its jid is the group id (`<digits>@g.us`). */
export function isGroupChat(chat: Pick<Chat, 'chatJid'>): boolean {
  return chat.chatJid.endsWith('@g.us');
}

/** Where a send to this chat goes: the contact's number, or the group id; undefined for a LID-only contact. */
export function recipientOf(chat: Pick<Chat, 'phone' | 'chatJid'>): string | undefined {
  return chat.phone ?? (isGroupChat(chat) ? chat.chatJid : undefined);
}

/**
 * How the API addresses a chat in `?chat=` and `/chats/{chatId}`: the E.164 number, else `lid:<digits>`, else
 * the group id.
 */
export function chatKey(chat: Pick<Chat, 'phone' | 'lid' | 'chatJid'>): string {
  if (chat.phone) return chat.phone;
  if (chat.lid) return `lid:${chat.lid}`;
  return chat.chatJid;
}

export function chatTitle(chat: Pick<Chat, 'name' | 'phone' | 'lid' | 'chatJid'>): string {
  return chat.name ?? chat.phone ?? (chat.lid ? `LID ${chat.lid}` : chat.chatJid);
}
