/**
 * The tenant-wide real-time room: one WebSocket for the whole signed-in console. Each event frame updates the
 * cached answers it affects (a chat moves to the top, a thread refetches, a session's status changes) and
 * joins the live feed of the last events.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { WsEventFrame } from '../../../shared/contracts/ws-frames';
import { unwrap } from '../api/client';
import { useApi } from '../auth/console-session';
import { applyChatUpdate } from '../screens/chats/chat-cache';
import { queryKeys } from './query-keys';
import { RealtimeConnection, socketUrl, type RealtimeState } from './realtime-connection';

const FEED_SIZE = 200;

/** The last events, newest first, as an external store React subscribes to. */
class EventFeed {
  #events: readonly WsEventFrame[] = [];
  readonly #listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
  readonly snapshot = () => this.#events;

  push(event: WsEventFrame): void {
    if (this.#events.some((e) => e.id === event.id)) return; // at-least-once delivery
    this.#events = [event, ...this.#events].slice(0, FEED_SIZE);
    for (const listener of this.#listeners) listener();
  }
}

function applyEvent(queryClient: QueryClient, event: WsEventFrame): void {
  switch (event.type) {
    case 'message.received':
    case 'message.status':
    case 'message.edited':
    case 'message.revoked':
    case 'poll.vote':
      void queryClient.invalidateQueries({ queryKey: queryKeys.messages(event.sessionId) });
      break;
    case 'chat.updated':
      applyChatUpdate(queryClient, event.sessionId, event.data.chat);
      break;
    case 'session.status':
    case 'session.restricted':
      void queryClient.invalidateQueries({ queryKey: queryKeys.sessions() });
      break;
  }
}

interface LiveEvents {
  readonly state: RealtimeState;
  readonly feed: EventFeed;
}

const LiveEventsContext = createContext<LiveEvents | null>(null);

export function LiveEventsProvider(props: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const feed = useMemo(() => new EventFeed(), []);
  const [state, setState] = useState<RealtimeState>('connecting');

  useEffect(() => {
    const connection = new RealtimeConnection(
      async () => socketUrl(unwrap(await api.POST('/v1/ws-tickets'))),
      {
        onState: setState,
        onFrame: (frame) => {
          if (!('data' in frame)) return; // pairing frames belong to the link dialog's own socket
          feed.push(frame);
          applyEvent(queryClient, frame);
        },
      },
    );
    connection.start();
    return () => connection.stop();
  }, [api, feed, queryClient]);

  const value = useMemo(() => ({ state, feed }), [state, feed]);
  return <LiveEventsContext.Provider value={value}>{props.children}</LiveEventsContext.Provider>;
}

export function useLiveState(): RealtimeState {
  const live = useContext(LiveEventsContext);
  return live?.state ?? 'closed';
}

export function useEventFeed(): readonly WsEventFrame[] {
  const live = useContext(LiveEventsContext);
  if (!live) throw new Error('useEventFeed outside LiveEventsProvider');
  return useSyncExternalStore(live.feed.subscribe, live.feed.snapshot);
}
