/**
 * "typing..." for an open chat: the newest `presence.updated` of the chat's contact in the live feed says what it
 * is doing. WhatsApp clears a chat state after about 25 s without a `paused`, so an older one no longer counts.
 * Opening the chat subscribes the session to the contact's presence (WhatsApp forgets it on reconnects, so each
 * opening asks again; a failure only means no indicator).
 */
import { useEffect, useState } from 'react';
import type { ApiClient } from '../../api/client';
import type { Chat } from '../../api/types';
import { useEventFeed } from '../../live/live-events';

const CHAT_STATE_TTL_MS = 25_000;

export type Typing = 'typing' | 'recording' | null;

export function useTyping(api: ApiClient, sessionId: string, chat: Chat): Typing {
  const feed = useEventFeed();
  const [now, setNow] = useState(() => Date.now());
  const phone = chat.phone;

  useEffect(() => {
    if (!phone) return;
    void api
      .POST('/v1/sessions/{sessionId}/contacts/{phone}/presence/subscribe', {
        params: { path: { sessionId, phone } },
      })
      .catch(() => undefined);
  }, [api, sessionId, phone]);

  const latest = feed.find(
    (e) =>
      e.type === 'presence.updated' &&
      e.sessionId === sessionId &&
      ((phone !== undefined && e.data.contact.phone === phone) ||
        (chat.lid !== undefined && e.data.contact.lid === chat.lid)),
  );
  const at = latest ? Date.parse(latest.createdAt) : 0;
  const presence = latest?.type === 'presence.updated' ? latest.data.presence : undefined;
  const active = (presence === 'composing' || presence === 'recording') && now - at < CHAT_STATE_TTL_MS;

  // Re-render when the shown state would expire.
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, at + CHAT_STATE_TTL_MS - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [active, at]);
  useEffect(() => setNow(Date.now()), [latest]);

  if (!active) return null;
  return presence === 'recording' ? 'recording' : 'typing';
}
