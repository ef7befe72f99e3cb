/**
 * Makes an API send durable in one atomic write (`docs/api.md`, "Send path"): the session check, the
 * `Idempotency-Key` claim, the session's send-rate hit, the `queued` message and its chat, all or nothing. The
 * answer says which of them refused, so the use case can answer 404 / 409 / 429 (`shared/services/messages.ts`).
 */
import type { Message } from '../domain/message.js';
import type { SessionStatus } from '../domain/session.js';
import type { RecordChatMessageInput } from './chat-repository.js';
import type { RateWindow } from '../domain/rate-window.js';
import type { RateHit } from './rate-limit-counter.js';

export interface SendWrite {
  /** The message as stored, `queued`, with the id this request will use if it is the first with its key. */
  readonly message: Message;
  readonly chat: RecordChatMessageInput;
  /**
   * False: the chat is not written at all (an edit or a revoke is not a new line in the chat list).
   * Default true.
   */
  readonly chatPreview?: boolean;
  readonly idempotency?: {
    /** Tenant-scoped so two tenants may use the same key. */
    readonly scope: string;
    readonly key: string;
    readonly fingerprint: string;
  };
  readonly sendRate: { readonly bucket: string; readonly limit: number; readonly window: RateWindow };
  readonly now: number;
}

export type SendWriteOutcome =
  /** Stored: the message, its chat, the key's claim and the rate hit. */
  | { readonly kind: 'stored' }
  /** The key was claimed by an earlier request with the same fingerprint: its message id; nothing written. */
  | { readonly kind: 'replayed'; readonly messageId: string }
  /** No such session for this tenant (absent, or another tenant's). */
  | { readonly kind: 'no-session' }
  /** The session exists but is not meant to run (stopped, logged out). */
  | { readonly kind: 'session-stopped'; readonly status: SessionStatus | 'unknown' }
  /** The key was used with another request. */
  | { readonly kind: 'key-reused' }
  /** The session's send window is full: the refused hit, for `Retry-After`. */
  | { readonly kind: 'rate-limited'; readonly hit: RateHit };

export interface SendWriter {
  write(send: SendWrite): Promise<SendWriteOutcome>;
}
