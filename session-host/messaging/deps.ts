/**
 * What the message flows need from the host (docs/messaging.md; the contract with host-core is
 * `HostMessaging` in index.ts). Ports only: the flows never see DynamoDB, S3 or EventBridge directly.
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { BlobStore } from '../../shared/ports/blob-store.js';
import type { ChatRepository } from '../../shared/ports/chat-repository.js';
import type { EventBus } from '../../shared/ports/event-bus.js';
import type { GroupReceiptStore } from '../../shared/ports/group-receipt-store.js';
import type { GroupRepository } from '../../shared/ports/group-repository.js';
import type { LidMappingRepository } from '../../shared/ports/lid-mapping-repository.js';
import type { MessageRepository } from '../../shared/ports/message-repository.js';
import type { PoolRepository } from '../../shared/ports/pool-repository.js';
import type { TransactionPart, TransactionPartOutcome } from '../../shared/ports/transaction-part.js';
import type { ReachoutGate } from '../compat/timelock.js';
import type { HostLogger } from '../logger.js';
import type { MessagingConfig } from './config.js';

/** The part of the host's logger the flows use (a test can pass a plain object). */
export type MessagingLogger = Pick<HostLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface MessagingDeps {
  readonly messages: MessageRepository;
  readonly chats: ChatRepository;
  /** Each session's LID <-> phone map (session-host/compat/lid-map.ts). */
  readonly lidMappings: LidMappingRepository;
  /**
   * Group receipts roll up (receipts.ts): who had each group message delivered or read, and how many members
   * the group has. Without them a group message moves on its first member's receipt.
   */
  readonly groupReceipts?: GroupReceiptStore;
  readonly groups?: Pick<GroupRepository, 'get'>;
  /** host-core hands a batching bus; publishing failures are logged, never thrown into a flow. */
  readonly events: EventBus;
  /**
   * The host's event outbox (`events/event-outbox.ts`): `message.status` goes through it, so a bus outage delays
   * it but loses none. Absent (flow tests not about it): `events` directly.
   */
  readonly outbox?: EventBus;
  /** The media bucket: uploaded media objects under `mediaObjectKey(tenantId, mediaId)`. */
  readonly media: BlobStore;
  readonly config: MessagingConfig;
  readonly log: MessagingLogger;
  readonly metrics?: { count(name: string, value?: number): void };
  /** Finds the number pool a contact of this session is assigned in (inbound `poolId`); absent: none. */
  readonly pools?: Pick<PoolRepository, 'poolsOfContact'>;
}

export interface AttachedSession {
  readonly tenantId: string;
  readonly sessionId: string;
  /** A Baileys socket whose connection is open. */
  readonly socket: WASocket;
  /** Persists Baileys key state now; resolves once durable. Called before a message is marked `sent`. */
  readonly flushCredentials: () => Promise<void>;
  /**
   * Persists Baileys key state and `part` in ONE fenced transaction (issue #14): the send's keys and its
   * `sending -> sent` move. Absent (flow tests with in-memory auth): flush, then the move on its own.
   */
  readonly commitWithCredentials?: (part: TransactionPart) => Promise<TransactionPartOutcome>;
  /**
   * Holds the debounced credentials write while a send is in flight; returns the release. Without it a debounce
   * firing mid-send writes part of the send's keys in a transaction of their own. Absent: nothing is held.
   */
  readonly holdCredentials?: () => () => void;
  /** Refuses 1:1 sends while WhatsApp timelocks the account (session-host/compat/timelock.ts); absent: never. */
  readonly reachout?: ReachoutGate;
}
