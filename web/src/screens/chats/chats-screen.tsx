/**
 * Conversations of a session: the list (latest activity first, unread counts, filter by name or number,
 * reordered live) and the open thread. On a phone one of the two shows at a time.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { unwrap } from '../../api/client';
import { useSessionsQuery } from '../../api/queries';
import type { Chat } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';
import { Time } from '../../ui/time';
import { chatKey, chatTitle, isGroupChat, sortByActivity } from './chat-cache';
import { chatFlags } from './chat-state-actions';
import { NewMessage } from './new-message';
import { NumberCheck } from './number-check';
import { RecentCalls } from './recent-calls';
import { Thread } from './thread';

export default function ChatsScreen() {
  const api = useApi();
  const navigate = useNavigate();
  const { sessionId, chat: openKey } = useParams();
  const [filter, setFilter] = useState('');
  const sessions = useSessionsQuery();
  const chats = useQuery({
    queryKey: queryKeys.chats(sessionId ?? ''),
    enabled: sessionId !== undefined,
    queryFn: async () =>
      sortByActivity(
        unwrap(
          await api.GET('/v1/sessions/{sessionId}/chats', {
            params: { path: { sessionId: sessionId ?? '' }, query: { limit: 100 } },
          }),
        ).items,
      ),
  });

  const needle = filter.trim().toLowerCase();
  const shown = (chats.data ?? []).filter(
    (c) => !needle || [c.name, c.phone, c.lid].some((v) => v?.toLowerCase().includes(needle)),
  );
  const open = chats.data?.find((c) => chatKey(c) === openKey);

  return (
    <div className={`screen chats ${openKey ? 'has-thread' : ''}`}>
      <div className="chat-column">
        <h1>Chats</h1>
        <label htmlFor="chat-session">Session</label>
        <select
          id="chat-session"
          value={sessionId ?? ''}
          onChange={(e) => void navigate(`/chats/${e.currentTarget.value}`)}
        >
          <option value="" disabled>
            Pick a session
          </option>
          {sessions.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name ?? s.id} {s.phone ? `(${s.phone})` : ''}
            </option>
          ))}
        </select>
        <NewMessage api={api} sessionId={sessionId} />
        {sessionId && (
          <>
            <label htmlFor="chat-filter">Filter by name or number</label>
            <input
              id="chat-filter"
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
            />
            <ErrorText error={chats.error} />
            <ul className="chat-list" aria-label="Conversations" data-testid="chat-list">
              {shown.map((c) => (
                <ChatRow key={c.chatJid} sessionId={sessionId} chat={c} active={c === open} />
              ))}
            </ul>
            {chats.data?.length === 0 && <p className="hint">No conversations yet.</p>}
            <RecentCalls sessionId={sessionId} />
            <NumberCheck key={sessionId} api={api} sessionId={sessionId} />
          </>
        )}
      </div>
      {sessionId && open && (
        <div className="thread-column">
          <Link to={`/chats/${sessionId}`} className="back">
            ‹ All chats
          </Link>
          {/* Keyed by session too: the same contact's chat on another number (a pool's member) is another
              thread, and its composer must not keep the previous session's "send as". */}
          <Thread key={`${sessionId}/${open.chatJid}`} sessionId={sessionId} chat={open} />
        </div>
      )}
    </div>
  );
}

function ChatRow(props: { sessionId: string; chat: Chat; active: boolean }) {
  const c = props.chat;
  const flags = chatFlags(c);
  return (
    <li
      data-testid="chat-row"
      data-chat={chatKey(c)}
      data-unread={c.unreadCount}
      data-group={isGroupChat(c) ? 'true' : undefined}
      data-flags={flags.join(' ').toLowerCase()}
    >
      <Link
        to={`/chats/${props.sessionId}/${encodeURIComponent(chatKey(c))}`}
        aria-current={props.active ? 'page' : undefined}
      >
        <span className="chat-title">
          {isGroupChat(c) && (
            <span className="group-mark" aria-label="Group">
              👥{' '}
            </span>
          )}
          {chatTitle(c)}
        </span>
        <Time at={c.lastMessage.at} />
        <span className="chat-preview">
          {c.lastMessage.direction === 'outbound' ? 'You: ' : ''}
          {c.lastMessage.preview}
        </span>
        {flags.length > 0 && <span className="chat-flags">{flags.join(' · ')}</span>}
        {c.unreadCount > 0 && (
          <span className="unread" aria-label={`${c.unreadCount} unread`}>
            {c.unreadCount}
          </span>
        )}
      </Link>
    </li>
  );
}
