/**
 * An open conversation: its history (older pages on demand), live updates, reply and react, and the composer.
 * Opening it, and every new incoming message while it is open, marks it read (read receipts to the contact).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { unwrap } from '../../api/client';
import type { Chat, Message } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';
import { applyChatUpdate, chatKey, chatTitle, isGroupChat, recipientOf } from './chat-cache';
import { Composer } from './composer';
import { ChatStateActions } from './chat-state-actions';
import { ContactPanel } from './contact-panel';
import { GroupPanel } from './group-panel';
import { MessageBubble } from './message-bubble';
import { PollComposer } from './poll-composer';
import { reactionsByTarget, useThread } from './use-thread';
import { useTyping } from './use-typing';

export function Thread(props: { sessionId: string; chat: Chat }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = chatKey(props.chat);
  const { query, messages } = useThread(api, props.sessionId, key);
  const [replyTo, setReplyTo] = useState<Message | undefined>();
  const [error, setError] = useState<unknown>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const unread = props.chat.unreadCount;
  const typing = useTyping(api, props.sessionId, props.chat);
  const [showContact, setShowContact] = useState(false);
  const group = isGroupChat(props.chat);
  const to = recipientOf(props.chat);

  useEffect(() => {
    if (unread === 0) return;
    void api
      .POST('/v1/sessions/{sessionId}/chats/{chatId}/read', {
        params: { path: { sessionId: props.sessionId, chatId: key } },
      })
      .then((r) => applyChatUpdate(queryClient, props.sessionId, unwrap(r)))
      .catch(setError);
  }, [api, key, props.sessionId, queryClient, unread]);

  const newestId = messages.at(-1)?.id;
  // Braces: newer browsers return a promise from scrollIntoView, and an effect may return only a clean-up.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [newestId]);

  const byId = new Map(messages.map((m) => [m.id, m]));
  const reactions = reactionsByTarget(messages);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.messages(props.sessionId) });

  const react = async (target: Message, emoji: string) => {
    if (!to) return;
    try {
      unwrap(
        await api.POST('/v1/sessions/{sessionId}/messages', {
          params: { path: { sessionId: props.sessionId } },
          body: { to, type: 'reaction', reaction: { messageId: target.id, emoji } },
        }),
      );
      await refresh();
    } catch (e) {
      setError(e);
    }
  };

  /** Our edit or revoke, queued like a send; the message changes live once WhatsApp took it. */
  const act = async (target: Message, kind: 'edit' | 'revoke', text?: string) => {
    try {
      const path = { sessionId: props.sessionId, messageId: target.id };
      unwrap(
        kind === 'edit'
          ? await api.POST('/v1/sessions/{sessionId}/messages/{messageId}/edit', {
              params: { path },
              body: { text: text ?? '' },
            })
          : await api.POST('/v1/sessions/{sessionId}/messages/{messageId}/revoke', { params: { path } }),
      );
      await refresh();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section
      className="thread"
      aria-label={`Conversation with ${chatTitle(props.chat)}`}
      data-testid="thread"
    >
      <header className="thread-head">
        <h2>{chatTitle(props.chat)}</h2>
        {props.chat.name && props.chat.phone && <span className="hint">{props.chat.phone}</span>}
        {typing && (
          <span className="typing" data-testid="typing" aria-live="polite">
            {typing === 'recording' ? 'recording audio…' : 'typing…'}
          </span>
        )}
        {(props.chat.phone || group) && (
          <button type="button" className="link" onClick={() => setShowContact((v) => !v)}>
            {showContact ? 'Hide info' : group ? 'Group info' : 'Contact'}
          </button>
        )}
      </header>
      <ChatStateActions api={api} sessionId={props.sessionId} chat={props.chat} />
      {showContact && props.chat.phone && (
        <ContactPanel api={api} sessionId={props.sessionId} phone={props.chat.phone} />
      )}
      {showContact && group && (
        <GroupPanel api={api} sessionId={props.sessionId} groupId={props.chat.chatJid} />
      )}
      <div className="thread-scroll">
        {query.hasNextPage && (
          <button type="button" className="link older" onClick={() => void query.fetchNextPage()}>
            {query.isFetchingNextPage ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        <ol className="messages" aria-live="polite" aria-relevant="additions">
          {messages
            // Reactions show on their target; our edit and revoke records only change theirs.
            .filter((m) => !['reaction', 'edit', 'revoke'].includes(m.content.type))
            .map((m) => (
              <MessageBubble
                key={m.id}
                message={m}
                quoted={m.replyTo ? byId.get(m.replyTo) : undefined}
                reactions={reactions.get(m.id) ?? []}
                canAct={to !== undefined}
                showSender={group}
                onReply={() => setReplyTo(m)}
                onReact={(emoji) => void react(m, emoji)}
                onEdit={(text) => act(m, 'edit', text)}
                onRevoke={() => void act(m, 'revoke')}
              />
            ))}
        </ol>
        <div ref={bottom} />
      </div>
      <ErrorText error={error ?? query.error} />
      <Composer
        api={api}
        sessionId={props.sessionId}
        to={to}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(undefined)}
        onSent={() => void refresh()}
      />
      {to && <PollComposer api={api} sessionId={props.sessionId} to={to} onSent={() => void refresh()} />}
    </section>
  );
}
