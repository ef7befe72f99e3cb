/** Marking a chat read against in-memory stand-ins for the ports: which messages, the doorbell, count, event. */
import { describe, expect, it } from 'vitest';
import type { HostCommand } from '../../../../shared/contracts/host-command.js';
import type { Chat } from '../../../../shared/domain/chat.js';
import { ConflictError, NotFoundError } from '../../../../shared/domain/errors.js';
import type { DomainEvent } from '../../../../shared/domain/events.js';
import { newId } from '../../../../shared/domain/ids.js';
import { canAdvance, type Message, type MessageStatus } from '../../../../shared/domain/message.js';
import type { Session } from '../../../../shared/domain/session.js';
import type { MarkReadOptions } from '../../../../shared/ports/chat-repository.js';
import type { AdvanceStatusOptions, ListByChatRequest } from '../../../../shared/ports/message-repository.js';
import { EventPublishError } from '../../../../shared/ports/event-bus.js';
import { markChatRead, type ChatReadDeps } from '../../../../shared/services/chat-read.js';

const tenantId = newId();
const sessionId = newId();
const CONTACT = '+15551230001';
const chatJid = '15551230001@s.whatsapp.net';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

let seq = 0;
function message(overrides: Partial<Message> = {}): Message {
  seq += 1;
  const at = iso(seq);
  return {
    id: newId(T0 + seq * 1000),
    tenantId,
    sessionId,
    direction: 'inbound',
    chatJid,
    from: { phone: CONTACT },
    senderJid: chatJid,
    type: 'text',
    content: { type: 'text', text: { body: `m${seq}` } },
    status: 'delivered',
    statusHistory: [{ status: 'delivered', at }],
    waMessageId: `WA${seq}`,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

interface WorldOptions {
  unread?: number;
  publish?: () => Promise<void>;
  /** Runs before each reset (a message arriving while the call is under way). */
  beforeReset?: (arrive: (m: Message) => void) => void;
}

function world(messages: Message[], options: WorldOptions = {}) {
  const stored = new Map(messages.map((m) => [m.id, m]));
  const pending = new Set<string>();
  const session: Session = {
    id: sessionId,
    tenantId,
    desired: 'running',
    status: 'connected',
    leaseUntil: T0 + 60_000,
    owner: 'host-1',
    createdAt: iso(0),
    updatedAt: iso(0),
  };
  let chat: Chat = {
    tenantId,
    sessionId,
    chatJid,
    phone: CONTACT,
    lastMessage: { id: messages.at(-1)!.id, type: 'text', preview: 'x', at: iso(seq), direction: 'inbound' },
    unreadCount: options.unread ?? messages.filter((m) => m.direction === 'inbound').length,
  };
  const rung: HostCommand[] = [];
  const events: DomainEvent[] = [];
  const warnings: string[] = [];
  let pagesRead = 0;
  let writes = 0;
  const deps: ChatReadDeps = {
    repos: {
      sessions: {
        get: async (t: string, s: string) => (t === tenantId && s === sessionId ? session : null),
      },
      chats: {
        get: async (s: string, j: string) => (s === sessionId && j === chatJid ? chat : null),
        markRead: async (_s: string, _j: string, o: MarkReadOptions = {}) => {
          options.beforeReset?.((m) => {
            stored.set(m.id, m);
            const last = {
              id: m.id,
              type: 'text' as const,
              preview: 'x',
              at: m.createdAt,
              direction: 'inbound' as const,
            };
            chat = { ...chat, lastMessage: last, unreadCount: chat.unreadCount + 1 };
          });
          if (o.ifLastMessageId !== undefined && o.ifLastMessageId !== chat.lastMessage.id)
            throw new ConflictError('newer message');
          writes += 1;
          chat = { ...chat, unreadCount: 0 };
          return chat;
        },
      },
      messages: {
        listByChat: async (s: string, j: string, request: ListByChatRequest = {}) => {
          pagesRead += 1;
          const all = [...stored.values()]
            .filter((m) => m.sessionId === s && m.chatJid === j)
            .sort((a, b) => (a.id < b.id ? 1 : -1));
          const start = request.cursor === undefined ? 0 : Number(request.cursor);
          const end = start + (request.limit ?? 50);
          return {
            items: all.slice(start, end),
            ...(end < all.length ? { cursor: String(end) } : {}),
          };
        },
        advanceStatus: async (s: string, id: string, to: MessageStatus, o: AdvanceStatusOptions) => {
          const m = stored.get(id)!;
          if (!canAdvance(m.status, to)) return { changed: false, message: m };
          writes += 1;
          const next = { ...m, status: to, statusHistory: [...m.statusHistory, { status: to, at: o.at }] };
          stored.set(id, next);
          if (o.readReceiptPending) pending.add(id);
          return { changed: true, message: next };
        },
      },
    },
    doorbell: { ring: async (_s: unknown, command: HostCommand) => (rung.push(command), 'rung' as const) },
    events: {
      publish: async (e: readonly DomainEvent[]) => {
        await options.publish?.();
        events.push(...e);
      },
    },
    log: { warn: (message: string) => void warnings.push(message) },
    now: () => T0 + 3_600_000,
  } as unknown as ChatReadDeps;
  const input = { tenantId, sessionId, chatKey: CONTACT };
  return {
    deps,
    input,
    stored,
    pending,
    rung,
    events,
    warnings,
    counts: () => ({ pagesRead, writes }),
  };
}

describe('markChatRead', () => {
  it('marks the unread inbound messages read back to the last read one, rings the host, resets, publishes', async () => {
    // Oldest first. The unread one before a read one was covered by an earlier call (it stays as it is).
    const olderUnread = message();
    const history = [
      olderUnread,
      message({ status: 'read' }),
      message({ direction: 'outbound', from: undefined, senderJid: undefined, status: 'sent' }),
      message(),
      message({
        type: 'reaction',
        content: { type: 'reaction', reaction: { messageId: newId(), emoji: '👍' } },
      }),
      message({ waMessageId: undefined }),
      message(),
    ];
    const w = world(history, { unread: 3 });
    const [, , , first, , , last] = history;

    const view = await markChatRead(w.deps, w.input);

    expect(view).toMatchObject({ chatJid, phone: CONTACT, unreadCount: 0 });
    expect(view).not.toHaveProperty('tenantId');
    expect([...w.pending]).toEqual([first!.id, last!.id]);
    expect(w.stored.get(first!.id)?.statusHistory.map((s) => s.status)).toEqual(['delivered', 'read']);
    expect(w.stored.get(olderUnread.id)?.status).toBe('delivered');
    expect(w.rung).toEqual([
      expect.objectContaining({ type: 'chat.read', tenantId, sessionId, messageIds: [first!.id, last!.id] }),
    ]);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: 'chat.updated', tenantId, sessionId });
    expect(w.events[0]?.data).toEqual({ chat: view });
  });

  it('a chat with nothing unread is answered as it is: no scan, no write, no doorbell, no event', async () => {
    const w = world([message({ status: 'read' })], { unread: 0 });
    const view = await markChatRead(w.deps, w.input);
    expect(view.unreadCount).toBe(0);
    expect(w.counts()).toEqual({ pagesRead: 0, writes: 0 });
    expect(w.rung).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('marks at most the latest 100, oldest first in the doorbell', async () => {
    const history = Array.from({ length: 130 }, () => message());
    const w = world(history);
    await markChatRead(w.deps, w.input);
    const ids = history.slice(30).map((m) => m.id);
    expect(w.rung[0]).toMatchObject({ messageIds: ids });
    expect(w.stored.get(history[29]!.id)?.status).toBe('delivered');
  });

  it('counts are reset without a doorbell when no message can be acknowledged', async () => {
    const w = world([message({ waMessageId: undefined })]);
    const view = await markChatRead(w.deps, w.input);
    expect(view.unreadCount).toBe(0);
    expect(w.rung).toEqual([]);
    expect(w.events).toHaveLength(1);
  });

  it('another tenant, an unknown session or an unknown chat is a 404', async () => {
    const w = world([message()]);
    await expect(markChatRead(w.deps, { ...w.input, tenantId: newId() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(markChatRead(w.deps, { ...w.input, sessionId: newId() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(markChatRead(w.deps, { ...w.input, chatKey: '+15559990000' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(w.counts().writes).toBe(0);
  });

  it('a message that comes in while the call runs is marked as well, not counted read unmarked', async () => {
    const first = message();
    const newcomer = message();
    let arrived = false;
    const w = world([first], {
      beforeReset: (arrive) => {
        if (arrived) return;
        arrived = true;
        arrive(newcomer);
      },
    });
    const view = await markChatRead(w.deps, w.input);
    expect(view).toMatchObject({ unreadCount: 0, lastMessage: { id: newcomer.id } });
    expect([...w.pending]).toEqual([first.id, newcomer.id]);
    expect(w.rung).toEqual([expect.objectContaining({ messageIds: [first.id, newcomer.id] })]);
  });

  it('a bus that stays down is logged; the chat is still answered read', async () => {
    const w = world([message()], {
      publish: async () => {
        throw new EventPublishError([{ eventId: 'e', type: 'chat.updated', error: 'down' }]);
      },
    });
    const view = await markChatRead(w.deps, w.input);
    expect(view.unreadCount).toBe(0);
    expect(w.warnings).toEqual(['chat.updated not published']);
  });
});
