/**
 * Archive, pin, mute (8 hours) and mark unread for the open chat: each a `PATCH /chats/{chatId}` that WhatsApp
 * syncs to the account's phone. The answer replaces the chat in the list at once; changes made on the phone
 * arrive as `chat.updated` frames (chat-cache.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import type { Chat } from '../../api/types';
import { ErrorText } from '../../ui/error-text';
import { applyChatUpdate, chatKey } from './chat-cache';

const MUTE_MS = 8 * 3600_000;

type Change = {
  archived?: boolean;
  pinned?: boolean;
  muted?: boolean;
  mutedUntil?: string;
  unread?: boolean;
};

export function ChatStateActions(props: { api: ApiClient; sessionId: string; chat: Chat }) {
  const { api, sessionId, chat } = props;
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const change = async (body: Change) => {
    setBusy(true);
    setError(null);
    try {
      const updated = unwrap(
        await api.PATCH('/v1/sessions/{sessionId}/chats/{chatId}', {
          params: { path: { sessionId, chatId: chatKey(chat) } },
          body,
        }),
      );
      applyChatUpdate(queryClient, sessionId, updated);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="chat-state-actions" role="group" aria-label="Chat state">
      <button type="button" disabled={busy} onClick={() => void change({ archived: !chat.archived })}>
        {chat.archived ? 'Unarchive' : 'Archive'}
      </button>
      <button type="button" disabled={busy} onClick={() => void change({ pinned: !chat.pinned })}>
        {chat.pinned ? 'Unpin' : 'Pin'}
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          void change(
            chat.muted ? { muted: false } : { mutedUntil: new Date(Date.now() + MUTE_MS).toISOString() },
          )
        }
      >
        {chat.muted ? 'Unmute' : 'Mute 8 h'}
      </button>
      <button type="button" disabled={busy} onClick={() => void change({ unread: !chat.unread })}>
        {chat.unread ? 'Mark read' : 'Mark unread'}
      </button>
      <ErrorText error={error} />
    </div>
  );
}

/** The flags a chat row shows, in WhatsApp's words. */
export function chatFlags(chat: Pick<Chat, 'archived' | 'pinned' | 'muted' | 'unread'>): string[] {
  return [
    chat.pinned && 'Pinned',
    chat.archived && 'Archived',
    chat.muted && 'Muted',
    chat.unread && 'Unread',
  ].filter((f): f is string => typeof f === 'string');
}
