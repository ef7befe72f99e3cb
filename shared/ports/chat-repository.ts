/**
 * Conversations of a session, kept up to date from its messages, listed by latest activity. Addressed by session:
 * tenant-facing callers check the session's tenant first (`sessions.get`); each chat also carries `tenantId`.
 */
import type { Chat, ChatLastMessage, ChatStateChange } from '../domain/chat.js';
import type { Page, PageRequest } from './pagination.js';

export interface RecordChatMessageInput {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly chatJid: string;
  readonly phone?: string;
  readonly lid?: string;
  readonly name?: string;
  readonly lastMessage: ChatLastMessage;
}

export interface MarkReadOptions {
  /**
   * Reset only while the chat's last message is still this one; `ConflictError` when a newer message came in
   * meanwhile (its caller looks again, so that message is not counted read without being marked).
   */
  readonly ifLastMessageId?: string;
}

export interface ChatRepository {
  /**
   * Upserts the chat for a new message: an inbound one adds one unread; the last message moves only forward in
   * time (a late, older message counts as unread but does not replace a newer preview). Not idempotent on its
   * own: call it once per message actually created (`MessageRepository.create` says `created`).
   */
  recordMessage(input: RecordChatMessageInput): Promise<Chat>;
  get(sessionId: string, chatJid: string): Promise<Chat | null>;
  /** Resets the unread count; `NotFoundError` when the chat does not exist. */
  markRead(sessionId: string, chatJid: string, options?: MarkReadOptions): Promise<Chat>;
  /** Sets the chat's app-state flags; null when the session has no such chat (nothing is created). */
  setState(sessionId: string, chatJid: string, change: ChatStateChange): Promise<Chat | null>;
  /** Most recent activity first. */
  listByActivity(sessionId: string, page?: PageRequest): Promise<Page<Chat>>;
}
