/**
 * Messages, inbound and outbound. DynamoDB is the truth for sending (DESIGN.md section 3): a send writes the
 * message `queued` first, and a host that claims a session drains `listQueued` in order, so a lost doorbell never
 * loses a message. Status only moves forward (`canAdvance` in the domain), so replays are harmless.
 * Messages are addressed by session: tenant-facing callers check the session's tenant first (`sessions.get`).
 */
import type { Message, MessageError, MessageStatus } from '../domain/message.js';
import type { Page, PageRequest } from './pagination.js';
import type { TransactionPart } from './transaction-part.js';

export interface CreateMessageResult {
  readonly message: Message;
  /** False when a message with that id already existed: the stored one is returned, nothing is written. */
  readonly created: boolean;
}

export interface CreateMessageOptions {
  /**
   * Marks the message's event as not yet published (the `message.received` outbox): the message is listed by
   * `listPendingEvents` until `clearPendingEvent`. Storage only; the domain message never shows it.
   */
  readonly eventPending?: boolean;
}

export interface ListPendingEventsRequest {
  /** At most this many (default 100). */
  readonly limit?: number;
  /** Only messages with an id above this one (the last id of the previous round). */
  readonly afterId?: string;
}

export interface AdvanceStatusOptions {
  /** When the change happened (ISO); it goes into `statusHistory` and `updatedAt`. */
  readonly at: string;
  /** WhatsApp's id, known once the message is sent; it makes receipts findable via `findByWaMessageId`. */
  readonly waMessageId?: string;
  readonly error?: MessageError;
  /**
   * Inbound messages marked `read` through the API: WhatsApp has not been told yet. The message is listed by
   * `listReadReceiptsPending` until `clearReadReceiptPending` (written only when the status changes).
   */
  readonly readReceiptPending?: boolean;
  /**
   * The proto Baileys sent and when, kept with the move (as `saveSentProto` would): the send's `sending -> sent`
   * carries it, saving a write of its own per send (issue #14).
   */
  readonly sentProto?: { readonly proto: Uint8Array; readonly at: string };
}

export interface AdvanceStatusResult {
  /** False for a stale, repeated or backward update: nothing was written. */
  readonly changed: boolean;
  /** The message as stored after the call. */
  readonly message: Message;
}

/** `advanceStatus` as a part of another repository's transaction (a send's credentials, issue #14). */
export interface AdvanceStatusPart {
  /** The same conditional write as `advanceStatus`; refused (not applied) when the status may not advance. */
  readonly part: TransactionPart;
  /** The message as stored once the part is applied. */
  readonly after: Message;
}

export interface ListByChatRequest extends PageRequest {
  /** `backward` (default): newest first, for a chat view scrolling up; `forward`: oldest first. */
  readonly direction?: 'backward' | 'forward';
}

/**
 * The WAProto message Baileys encrypted for one of our sends, kept to answer WhatsApp retry receipts with the
 * exact same message (session-host/compat/retry-receipts.ts). Storage only: never part of the domain `Message`.
 */
export interface SentProto {
  readonly messageId: string;
  /** `proto.Message` bytes, as sent. */
  readonly proto: Uint8Array;
  /** When Baileys sent it (ISO). */
  readonly sentAt: string;
}

export interface MessageRepository {
  create(message: Message, options?: CreateMessageOptions): Promise<CreateMessageResult>;
  get(sessionId: string, messageId: string): Promise<Message | null>;
  /**
   * Forward-only: writes only when the stored status may advance to `to`, appending one history entry.
   * `NotFoundError` when the message does not exist.
   */
  advanceStatus(
    sessionId: string,
    messageId: string,
    to: MessageStatus,
    options: AdvanceStatusOptions,
  ): Promise<AdvanceStatusResult>;
  /**
   * The `advanceStatus` write of `message` (as last read) to `to`, for a transaction run elsewhere: the send's
   * `sending -> sent` rides in the credentials' fenced transaction, one round trip (issue #14).
   */
  advanceStatusPart(message: Message, to: MessageStatus, options: AdvanceStatusOptions): AdvanceStatusPart;
  /** The session's messages still `queued`, oldest first (ids are ULIDs: send order). */
  listQueued(sessionId: string, limit?: number): Promise<Message[]>;
  /** The session's messages still `sending` (an attempt that never finished), oldest first. */
  listSending(sessionId: string, limit?: number): Promise<Message[]>;
  findByWaMessageId(sessionId: string, waMessageId: string): Promise<Message | null>;
  listByChat(sessionId: string, chatJid: string, request?: ListByChatRequest): Promise<Page<Message>>;
  /** Newest first. */
  listBySession(sessionId: string, page?: PageRequest): Promise<Page<Message>>;
  /**
   * The session's messages created with `eventPending` whose event is not cleared yet, oldest first (the index
   * is eventually consistent: one cleared a moment ago may still be listed).
   */
  listPendingEvents(sessionId: string, request?: ListPendingEventsRequest): Promise<Message[]>;
  /** The message's event is on the bus: drop the marker. Idempotent; a missing message is not an error. */
  clearPendingEvent(sessionId: string, messageId: string): Promise<void>;
  /** Keeps the proto Baileys sent for outbound `messageId` (replaces an earlier one); `NotFoundError` if missing. */
  saveSentProto(sessionId: string, messageId: string, proto: Uint8Array, sentAt: string): Promise<void>;
  /** The sent proto of our outbound message with this WhatsApp id; null if none was kept. */
  findSentProto(sessionId: string, waMessageId: string): Promise<SentProto | null>;
  /**
   * The session's messages marked read with `readReceiptPending` whose receipt is not sent yet, oldest first
   * (the index is eventually consistent: one cleared a moment ago may still be listed).
   */
  listReadReceiptsPending(sessionId: string, limit?: number): Promise<Message[]>;
  /** The read receipt went to WhatsApp: drop the marker. Idempotent; a missing message is not an error. */
  clearReadReceiptPending(sessionId: string, messageId: string): Promise<void>;
  /**
   * Writes an edit, a revoke or new poll tallies: the message's `type`, `content`, `edited`, `editHistory`,
   * `revoked`, `revokedAt` and `updatedAt` from `message` (those of the four it lacks are removed), only if the stored one still has `expectedUpdatedAt`
   * (read-modify-write without lost updates). False when it changed meanwhile (read again and retry) or is gone.
   */
  replaceContent(message: Message, expectedUpdatedAt: string): Promise<boolean>;
  /**
   * The secret votes on our poll `messageId` are encrypted with, stored once on the item before the first send:
   * the first caller's `candidate` is kept, every later call (a resend after a crash) gets the kept one back, so
   * the contact's phone and our copy always hold the same secret. A contact's poll keeps the secret its message
   * carried (votes on it are encrypted with that one). Storage only. `NotFoundError` if missing.
   */
  ensurePollSecret(sessionId: string, messageId: string, candidate: Uint8Array): Promise<Uint8Array>;
  /** The kept secret of poll `messageId` (ours or a contact's); null when none was kept. */
  findPollSecret(sessionId: string, messageId: string): Promise<Uint8Array | null>;
}
