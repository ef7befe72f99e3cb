/**
 * The host core's view of host-messaging (the contract in session-host/messaging/index.ts): what the runner
 * needs to hand an open socket over and to ring a session's send doorbell. Kept structural so the core builds and
 * tests without the messaging module, and any implementation of that contract fits.
 */
import type { proto, WAMessageKey, WASocket } from '@whiskeysockets/baileys';
import type { ReachoutGate } from './compat/timelock.js';
import type { TransactionPart, TransactionPartOutcome } from '../shared/ports/transaction-part.js';

export interface AttachedSessionPort {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly socket: WASocket;
  /** Persists Baileys key state now; resolves once durable. Called before a message is marked `sent`. */
  readonly flushCredentials: () => Promise<void>;
  /**
   * Persists Baileys key state and `part` (a message's `sending -> sent`) in one fenced transaction; resolves
   * with the part's outcome once both are durable. Optional: without it, senders flush, then write the part.
   */
  readonly commitWithCredentials?: (part: TransactionPart) => Promise<TransactionPartOutcome>;
  /**
   * Holds the debounced credentials write while a send is in flight; returns the release. Without it a debounce
   * firing mid-send writes part of the send's keys in a transaction of their own. Absent: nothing is held.
   */
  readonly holdCredentials?: () => () => void;
  readonly reachout?: ReachoutGate;
}

export interface SessionMessagingPort {
  ring(messageId: string): void;
  /** A `chat.read` doorbell (optional: an implementation without it sends the receipts on its next drain). */
  readReceipts?(messageIds: readonly string[]): void;
  drain(): Promise<void>;
  detach(): void;
  /** Resolves once nothing is pending or in flight for the session (optional: a handover then cuts at once). */
  idle?(): Promise<void>;
  /** Resolves once the sends in flight have finished (after `detach`, which starts no new ones). Optional. */
  settled?(): Promise<void>;
}

export interface HostMessagingPort {
  attach(session: AttachedSessionPort): SessionMessagingPort;
  /** Our sent message for a retry receipt (session-host/compat/retry-receipts.ts). */
  getMessage?(sessionId: string, key: WAMessageKey): Promise<proto.IMessage | undefined>;
  close(): Promise<void>;
}
