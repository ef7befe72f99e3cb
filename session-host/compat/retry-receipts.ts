/**
 * Answering WhatsApp retry receipts (docs/whatsapp-compatibility.md, "Retry receipts"). A contact's device that
 * cannot decrypt one of our messages sends `<receipt type="retry">`; Baileys then asks `getMessage(key)` for the
 * message and re-encrypts it under the same id. rc14 only remembers its own sends for 5 minutes, in memory, keyed
 * by the jid it sent to, so a receipt from the contact's LID, or one after a restart or a move to another host,
 * found nothing and the contact saw "Waiting for this message" for good.
 *
 * Here every send keeps the exact proto Baileys encrypted on the message's item (durable, any host can answer),
 * looked up by WhatsApp id alone whatever jid form the receipt carries. Only recent messages are served: after a
 * long reconnect backlog, old retry receipts must not replay days-old messages (Evolution API #2705/#2707).
 */
import { proto, type CacheStore, type WAMessageKey } from '@whiskeysockets/baileys';
import type { MessageRepository } from '../../shared/ports/message-repository.js';
import type { MessagingLogger } from '../messaging/deps.js';

/** Messages older than this are not resent (WhatsApp Web's own window; polls and events are exempt). */
export const RETRY_WINDOW_MS = 15 * 60_000;
/** Protos above this are not kept (DynamoDB items stop at 400 KB; thumbnails make media protos large). */
export const MAX_SENT_PROTO_BYTES = 64 * 1024;

export interface SentMessageArchiveDeps {
  readonly messages: MessageRepository;
  readonly log: MessagingLogger;
  readonly now?: () => number;
}

interface PendingProto {
  readonly proto: proto.IMessage;
  readonly sentAt: number;
}

/** Creations whose later votes or responses need the original to decrypt (`getMessage` serves those too). */
const isLongLived = (message: proto.IMessage): boolean =>
  Boolean(
    message.pollCreationMessage ??
    message.pollCreationMessageV2 ??
    message.pollCreationMessageV3 ??
    message.eventMessage,
  );

/** The message to resend, or undefined when it is too old (never an empty message: that burns a retry). */
export function servableMessage(
  message: proto.IMessage,
  sentAtMs: number,
  nowMs: number,
): proto.IMessage | undefined {
  if (isLongLived(message)) return message;
  return nowMs - sentAtMs <= RETRY_WINDOW_MS ? message : undefined;
}

/**
 * A sent proto kept in memory until it is durable on the message item. The send's `sending -> sent` transaction
 * normally stores it (`AdvanceStatusOptions.sentProto`, one write fewer per send: issue #14), then calls
 * `stored`; when that move did not carry it (a receipt moved the message on first, or a session without a
 * transactional commit) the send calls `store`, the write of its own. Until either, a retry receipt is answered
 * from memory: it can beat the write (the contact's device replies within milliseconds of our send).
 */
export interface KeptSent {
  readonly proto: Uint8Array;
  /** When it was sent (ISO), stored as `sentProtoAt`: the retry window counts from it. */
  readonly at: string;
  /** The send's transaction stored it: forget the in-memory copy. */
  stored(): void;
  /** Writes it on its own (never throws: a failed write only loses the resend), then forgets the copy. */
  store(): Promise<void>;
}

/** The sent protos of one host's sessions (see `KeptSent`). */
export class SentMessageArchive {
  readonly #deps: SentMessageArchiveDeps;
  readonly #pending = new Map<string, PendingProto>();

  constructor(deps: SentMessageArchiveDeps) {
    this.#deps = deps;
  }

  /**
   * Keeps what Baileys sent for our message: answered from memory at once, and handed back for the send's
   * `sending -> sent` transaction to store (`KeptSent`). Undefined when there is nothing to keep (no proto, or
   * one too large). Never throws.
   */
  keep(
    sessionId: string,
    messageId: string,
    waMessageId: string,
    message: proto.IMessage | null | undefined,
  ): KeptSent | undefined {
    if (!message) return undefined;
    const bytes = proto.Message.encode(message).finish();
    const fields = { sessionId, messageId, bytes: bytes.length };
    if (bytes.length > MAX_SENT_PROTO_BYTES) {
      this.#deps.log.warn('sent message too large to keep for retry receipts', fields);
      return undefined;
    }
    const sentAt = this.#now();
    const key = pendingKey(sessionId, waMessageId);
    const pending = { proto: proto.Message.decode(bytes), sentAt };
    this.#pending.set(key, pending);
    const forget = (): void => {
      // A later send under the same WhatsApp id (a retry) may have replaced it: leave that one.
      if (this.#pending.get(key) === pending) this.#pending.delete(key);
    };
    const at = new Date(sentAt).toISOString();
    return {
      proto: bytes,
      at,
      stored: forget,
      store: async () => {
        try {
          await this.#deps.messages.saveSentProto(sessionId, messageId, bytes, at);
        } catch (error) {
          this.#deps.log.warn('sent message not kept for retry receipts', {
            ...fields,
            error: error instanceof Error ? error.message : String(error),
          });
        } finally {
          forget();
        }
      },
    };
  }

  /** Baileys' `getMessage` for one session: our sent message with `key.id`, if still servable. */
  async getMessage(sessionId: string, key: WAMessageKey): Promise<proto.IMessage | undefined> {
    // Only our own messages are here; a contact's message (fromMe false) is not ours to resend.
    if (!key.id || key.fromMe === false) return undefined;
    const fields = { sessionId, waMessageId: key.id };
    const pending = this.#pending.get(pendingKey(sessionId, key.id));
    if (pending) return servableMessage(pending.proto, pending.sentAt, this.#now());
    try {
      const stored = await this.#deps.messages.findSentProto(sessionId, key.id);
      if (!stored) {
        this.#deps.log.info('retry receipt for a message we do not have', fields);
        return undefined;
      }
      const message = servableMessage(
        proto.Message.decode(stored.proto),
        Date.parse(stored.sentAt),
        this.#now(),
      );
      this.#deps.log.info(message ? 'resending on retry receipt' : 'retry receipt for a stale message', {
        ...fields,
        messageId: stored.messageId,
      });
      return message;
    } catch (error) {
      this.#deps.log.warn('retry receipt lookup failed', {
        ...fields,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}

const pendingKey = (sessionId: string, waMessageId: string): string => `${sessionId}#${waMessageId}`;

/** Retries tracked longer than this are forgotten (Baileys' own default TTL for the counter). */
const RETRY_COUNTER_TTL_MS = 60 * 60_000;
const RETRY_COUNTER_MAX_KEYS = 10_000;

/**
 * Baileys' `msgRetryCounterCache` for one session, kept by the runner across reconnects: without it each new
 * socket starts a fresh counter, so a contact's device stuck in a retry loop gets resends beyond
 * `maxMsgRetryCount` after every reconnect.
 */
export function createRetryCounterCache(now: () => number = Date.now): CacheStore {
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    get<T>(key: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value as T;
    },
    set<T>(key: string, value: T): void {
      entries.delete(key);
      entries.set(key, { value, expires: now() + RETRY_COUNTER_TTL_MS });
      if (entries.size > RETRY_COUNTER_MAX_KEYS) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    del(key: string): void {
      entries.delete(key);
    },
    flushAll(): void {
      entries.clear();
    },
  };
}
