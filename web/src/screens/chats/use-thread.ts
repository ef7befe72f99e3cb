/**
 * One conversation's messages, newest page first from the API and shown oldest first; older pages are loaded
 * on demand (paging upward). Live events invalidate `['messages', sessionId]`, which refetches the loaded pages.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { unwrap, type ApiClient } from '../../api/client';
import type { Message } from '../../api/types';
import { queryKeys } from '../../live/query-keys';

const PAGE_SIZE = 30;

export function useThread(api: ApiClient, sessionId: string, chat: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.messages(sessionId, chat),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/sessions/{sessionId}/messages', {
          params: {
            path: { sessionId },
            query: { chat, limit: PAGE_SIZE, order: 'newest', ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.cursor,
  });
  const newestFirst: Message[] = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { query, messages: [...newestFirst].reverse() };
}

/** Reactions by the id of the message they react to: the latest emoji of each side, "" (removed) dropped. */
export function reactionsByTarget(messages: readonly Message[]): Map<string, string[]> {
  const latest = new Map<string, Map<string, string>>();
  for (const m of messages) {
    if (m.content.type !== 'reaction') continue;
    const { messageId, emoji } = m.content.reaction;
    const who = m.direction === 'outbound' ? 'me' : (m.from?.phone ?? m.from?.lid ?? m.chatJid);
    const perTarget = latest.get(messageId) ?? new Map<string, string>();
    perTarget.set(who, emoji);
    latest.set(messageId, perTarget);
  }
  const out = new Map<string, string[]>();
  for (const [target, bySender] of latest) {
    const emojis = [...bySender.values()].filter((e) => e !== '');
    if (emojis.length) out.set(target, emojis);
  }
  return out;
}

/** One line of text for a message (quotes, previews). */
export function messageText(m: Message): string {
  const c = m.content;
  switch (c.type) {
    case 'text':
      return c.text.body;
    case 'image':
      return c.image.caption ? `📷 ${c.image.caption}` : '📷 Photo';
    case 'video':
      return c.video.caption ? `🎥 ${c.video.caption}` : '🎥 Video';
    case 'audio':
      return c.audio.ptt ? '🎤 Voice message' : '🎵 Audio';
    case 'document':
      return `📄 ${c.document.fileName}`;
    case 'sticker':
      return 'Sticker';
    case 'location':
      return `📍 ${c.location.name ?? `${c.location.latitude}, ${c.location.longitude}`}`;
    case 'contacts':
      return `👤 ${c.contacts.map((x) => x.name.formattedName).join(', ')}`;
    case 'reaction':
      return c.reaction.emoji;
    case 'unsupported':
      return `(${c.unsupported.waType} not shown)`;
    case 'poll':
      return `📊 ${c.poll.name}`;
    case 'edit':
      return `✏️ ${c.edit.body}`;
    case 'revoke':
    case 'revoked':
      return '🚫 This message was deleted';
  }
}
