/**
 * Marking a chat read (`POST /v1/sessions/{id}/chats/{chatId}/read`, docs/api.md "Chats"). DynamoDB is the truth,
 * as for sends: the unread inbound messages are marked `read` (one status-history entry each) with a
 * pending-receipt marker, the owner host is rung (`chat.read`), and the chat's unread count is reset. The host
 * sends WhatsApp the read receipts and drops the markers; a host that attaches the session later sends what is
 * still marked, so a session that is stopped or not connected loses no receipt: they go out when it connects.
 */
import { CHAT_READ_MAX_MESSAGES } from '../contracts/host-command.js';
import type { Chat } from '../domain/chat.js';
import { chatKeyToJid } from '../domain/contact-id.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { makeEvent } from '../domain/events.js';
import { nowIso } from '../domain/ids.js';
import type { Message } from '../domain/message.js';
import type { EventBus } from '../ports/event-bus.js';
import type { MessageRepository } from '../ports/message-repository.js';
import type { ControlPlaneDeps } from './deps.js';
import type { DoorbellLog } from './host-doorbell.js';
import { loadSession } from './sessions.js';
import { namedChat } from './chat-names.js';
import { toChatView, type ChatView } from './views.js';

/** How many of the chat's latest messages a call looks through for unread ones (newest first). */
export const CHAT_READ_SCAN_LIMIT = 300;
const PAGE = 100;
/** Status writes in flight at once: a full batch is marked in a few round trips, not one hundred. */
const WRITE_CONCURRENCY = 10;
/** Conditional resets tried while messages keep coming in; the last one resets regardless. */
const RESET_ATTEMPTS = 3;

export interface ChatReadDeps extends Pick<ControlPlaneDeps, 'repos' | 'doorbell' | 'now'> {
  readonly events: EventBus;
  readonly log: DoorbellLog;
}

export interface MarkChatReadInput {
  readonly tenantId: string;
  readonly sessionId: string;
  /** E.164, or `lid:<digits>` for a LID-only contact (as `GET .../messages?chat=`). */
  readonly chatKey: string;
}

/**
 * The inbound messages a mark-read covers, newest first: those still `delivered` (a phone counts them unread),
 * with a WhatsApp id to acknowledge. Reactions are not unread messages (the chat does not count them). The walk
 * stops at an inbound message already `read` (an earlier call covered everything before it), after
 * `CHAT_READ_MAX_MESSAGES` picks or `CHAT_READ_SCAN_LIMIT` messages looked at.
 */
export async function unreadInboundMessages(
  messages: Pick<MessageRepository, 'listByChat'>,
  sessionId: string,
  chatJid: string,
): Promise<Message[]> {
  const picked: Message[] = [];
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await messages.listByChat(sessionId, chatJid, {
      direction: 'backward',
      limit: PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const m of page.items) {
      scanned += 1;
      if (m.direction !== 'inbound' || m.type === 'reaction') continue;
      if (m.status === 'read') return picked;
      if (m.status === 'delivered' && m.waMessageId !== undefined) picked.push(m);
      if (picked.length >= CHAT_READ_MAX_MESSAGES) return picked;
    }
    cursor = page.cursor;
  } while (cursor !== undefined && scanned < CHAT_READ_SCAN_LIMIT);
  return picked;
}

/**
 * Answers the chat with `unreadCount` 0. A chat with nothing unread is answered as it is: no write, no doorbell,
 * no event (a retry or a double click costs two reads).
 */
export async function markChatRead(deps: ChatReadDeps, input: MarkChatReadInput): Promise<ChatView> {
  const { tenantId, sessionId } = input;
  const session = await loadSession(deps, tenantId, sessionId);
  const chatJid = chatKeyToJid(input.chatKey);
  const notFound = () => new NotFoundError(`No chat ${input.chatKey} in this session`);
  let chat = await deps.repos.chats.get(sessionId, chatJid);
  if (!chat || chat.tenantId !== tenantId) throw notFound();
  if (chat.unreadCount === 0) return toChatView(await namedChat(deps.repos.groups, chat));

  const at = nowIso(new Date(deps.now()));
  const marked: string[] = [];
  let updated: Chat | undefined;
  for (let attempt = 1; updated === undefined; attempt++) {
    marked.push(...(await markUnreadMessages(deps, sessionId, chatJid, at)));
    try {
      // Reset only if no message came in since the chat was read: one arriving between the scan and the reset
      // would be counted read without being marked. Then look again (it is marked too); the last try resets as is.
      updated = await deps.repos.chats.markRead(
        sessionId,
        chatJid,
        attempt < RESET_ATTEMPTS ? { ifLastMessageId: chat.lastMessage.id } : {},
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      chat = await deps.repos.chats.get(sessionId, chatJid);
      if (!chat) throw notFound();
    }
  }
  if (marked.length > 0) {
    // Never fails the request: the markers are in DynamoDB; a host that claims the session sends them.
    await deps.doorbell.ring(session, {
      type: 'chat.read',
      tenantId,
      sessionId,
      messageIds: marked.slice(-CHAT_READ_MAX_MESSAGES),
      sentAt: at,
    });
  }
  const named = await namedChat(deps.repos.groups, updated);
  await publishChatUpdated(deps, named, at);
  return toChatView(named);
}

/** Marks the chat's unread inbound messages `read` with a pending receipt; the ids actually changed, oldest first. */
async function markUnreadMessages(
  deps: ChatReadDeps,
  sessionId: string,
  chatJid: string,
  at: string,
): Promise<string[]> {
  const oldestFirst = (await unreadInboundMessages(deps.repos.messages, sessionId, chatJid)).reverse();
  const marked: string[] = [];
  for (let i = 0; i < oldestFirst.length; i += WRITE_CONCURRENCY) {
    const results = await Promise.all(
      oldestFirst
        .slice(i, i + WRITE_CONCURRENCY)
        .map((m) =>
          deps.repos.messages.advanceStatus(sessionId, m.id, 'read', { at, readReceiptPending: true }),
        ),
    );
    for (const r of results) if (r.changed) marked.push(r.message.id);
  }
  return marked;
}

/**
 * `chat.updated` carries the whole chat, so the next change of the chat supersedes a lost one: a bus that stays
 * down past the adapter's retries is logged, and the request still succeeds (the state is written).
 */
async function publishChatUpdated(deps: ChatReadDeps, chat: Chat, at: string): Promise<void> {
  const event = makeEvent('chat.updated', {
    tenantId: chat.tenantId,
    sessionId: chat.sessionId,
    createdAt: at,
    data: { chat: toChatView(chat) },
  });
  try {
    await deps.events.publish([event]);
  } catch (error) {
    deps.log.warn('chat.updated not published', {
      sessionId: chat.sessionId,
      eventId: event.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
