/**
 * One attached session's message flows (docs/messaging.md): its send lane on the host's scheduler, its
 * receivers for messages and receipts, its read receipts and its outbox republishing. `HostMessaging.attach`
 * makes one per connection; `detach` ends it.
 */
import type { BaileysEventMap, proto } from '@whiskeysockets/baileys';
import type PQueue from 'p-queue';
import { isId } from '../../shared/domain/ids.js';
import { SessionLidMap } from '../compat/lid-map.js';
import type { KeptSent } from '../compat/retry-receipts.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { listBacklog } from './drain.js';
import type { ReceivedOutbox } from './outbox.js';
import { ReadReceiptSender } from './read.js';
import { ReceiptTracker } from './receipts.js';
import { MessageReceiver } from './receive.js';
import type { SendLane, SendScheduler } from './scheduler.js';
import { SendFailure } from './send-failure.js';
import { failSend, sendMessage, type SendContext, type SendOutcome } from './send.js';

export interface SessionMessaging {
  /** A `message.send` doorbell for this session (may be a duplicate; DynamoDB is the truth). */
  ring(messageId: string): void;
  /** A `chat.read` doorbell: send WhatsApp the read receipts of these messages (read.ts). */
  readReceipts(messageIds: readonly string[]): void;
  /**
   * On connect/claim: send everything `queued` (and resume `sending` left by a dead host) in order,
   * republish the `message.received` events a crashed (or stopped) host stored but never got onto the bus, and
   * send the read receipts still pending.
   */
  drain(): Promise<void>;
  /** Socket closed or lease lost: stop sending at once; pending work stays `queued` in DynamoDB. */
  detach(): void;
  /**
   * Resolves when nothing is pending or in flight for this session and every received message and receipt
   * handed over so far is processed (tests and orderly shutdown; not part of host-core's contract).
   */
  idle(): Promise<void>;
  /** Resolves once the sends in flight have finished; after `detach` no new one starts (graceful stop). */
  settled(): Promise<void>;
}

/** What an attachment needs from the host-wide `HostMessaging` (shared by every session of the process). */
export interface AttachmentHost {
  readonly deps: MessagingDeps;
  readonly scheduler: SendScheduler;
  readonly outbox: ReceivedOutbox;
  readonly downloads: PQueue;
  /** Keeps what a send put on the wire, for retry receipts; the send's transaction stores it. */
  keepSent(
    sessionId: string,
    messageId: string,
    waMessageId: string,
    message: proto.IMessage | null | undefined,
  ): KeptSent | undefined;
  /** A republish round failed: try again later, while the session stays attached. */
  retryOutboxLater(sessionId: string): void;
  /** The attachment ended: drop its republisher and retry timer, and forget it if it is still the current one. */
  onDetached(attachment: SessionAttachment): void;
}

export class SessionAttachment implements SessionMessaging {
  readonly #host: AttachmentHost;
  readonly #session: AttachedSession;
  readonly #fields: { tenantId: string; sessionId: string };
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #ctx: SendContext;
  readonly #lane: SendLane;
  readonly #receiver: MessageReceiver;
  readonly #receipts: ReceiptTracker;
  readonly #reads: ReadReceiptSender;
  readonly #stopLearningLids: () => void;
  #detached = false;
  /** The last backlog page was full: list again once the lane empties. */
  #moreBacklog = false;
  /**
   * Doorbells that rang before the first backlog listing was scheduled. Enqueued at once, a new message could
   * be sent before older queued ones the listing has not yet found; held back, they follow the backlog in order.
   */
  #earlyRings: string[] | undefined = [];
  #firstListing: Promise<void> | undefined;

  constructor(host: AttachmentHost, session: AttachedSession) {
    this.#host = host;
    this.#session = session;
    const { deps } = host;
    this.#fields = { tenantId: session.tenantId, sessionId: session.sessionId };
    const lidMap = new SessionLidMap(deps.lidMappings, session, deps.log);
    this.#stopLearningLids = lidMap.listen();
    this.#ctx = {
      deps,
      session,
      knownRecipients: new Set(),
      recentWaIds: new Map(),
      lidMap,
      isDetached: () => this.#detached,
      keepSent: (messageId, waMessageId, sent) =>
        host.keepSent(session.sessionId, messageId, waMessageId, sent?.message),
    };
    this.#lane = host.scheduler.addLane(session.sessionId, {
      send: (messageId) => this.#send(messageId),
      giveUp: (messageId, error) => this.#giveUp(messageId, error),
      onEmpty: () => {
        if (this.#moreBacklog) void this.#listBacklog();
      },
    });
    this.#receiver = new MessageReceiver(deps, session, host.outbox, lidMap, host.downloads);
    this.#receipts = new ReceiptTracker(deps, session, {
      recentMessageId: (waMessageId) => this.#ctx.recentWaIds.get(waMessageId),
      sendSettled: async (messageId) => {
        await this.#inFlight.get(messageId)?.catch(() => undefined);
      },
    });
    this.#reads = new ReadReceiptSender(deps, session, () => this.#detached);
    const ev = session.socket.ev;
    ev.on('messages.upsert', this.#onUpsert);
    ev.on('messages.update', this.#onUpdate);
    ev.on('message-receipt.update', this.#onReceipt);
  }

  ring(messageId: string): void {
    if (!isId(messageId)) {
      this.#host.deps.log.warn('doorbell with a malformed message id ignored', this.#fields);
      return;
    }
    if (this.#earlyRings) {
      this.#earlyRings.push(messageId);
      // A doorbell before host-core's drain (or a test that never drains): the listing finds this message too.
      this.#startFirstListing().catch((error: unknown) =>
        this.#host.deps.log.error('backlog not listed', {
          ...this.#fields,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      return;
    }
    this.#host.scheduler.enqueue(this.#lane, messageId);
  }

  readReceipts(messageIds: readonly string[]): void {
    void this.#reads.ring(messageIds);
  }

  /**
   * The periodic backstop (`queued-sweep.ts`): the backlog listed again, as the drain lists it (drain.ts): `queued`
   * messages (a doorbell the API could not ring) and `sending` ones left by an attempt that stopped (a socket that
   * closed under it, which the drain after the reconnect did not find: seen once in CI, a message left `sending` on
   * a host that kept its session). The lane ignores what it already has pending or in flight, and a resend reuses
   * the WhatsApp id, so the contact's phone shows it once. Nothing before the first drain.
   */
  async sweep(): Promise<void> {
    if (this.#detached || this.#earlyRings) return;
    return this.#listBacklog();
  }

  async drain(): Promise<void> {
    // Host-core drains once per attachment; a later call (tests, a caller that knows more was queued) lists again.
    const backlog = this.#firstListing ? this.#listBacklog() : this.#startFirstListing();
    await Promise.all([backlog, this.republish(), this.#reads.drain()]);
  }

  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#host.scheduler.removeLane(this.#lane);
    const ev = this.#session.socket.ev;
    ev.off('messages.upsert', this.#onUpsert);
    ev.off('messages.update', this.#onUpdate);
    ev.off('message-receipt.update', this.#onReceipt);
    this.#stopLearningLids();
    this.#host.onDetached(this);
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  async idle(): Promise<void> {
    await this.#firstListing?.catch(() => undefined);
    await this.#host.scheduler.whenIdle(this.#lane);
    await Promise.all([this.#receiver.idle(), this.#receipts.idle(), this.#reads.idle()]);
  }

  get sessionId(): string {
    return this.#session.sessionId;
  }

  /** Publishes again the `message.received` events stored but not yet on the bus (outbox rounds). */
  readonly republish = async (): Promise<void> => {
    const { deps } = this.#host;
    try {
      const count = await this.#host.outbox.republishPending(this.#session.sessionId, () => this.#detached);
      if (count > 0) deps.log.info('pending message.received republished', { ...this.#fields, count });
    } catch (error) {
      deps.log.error('pending message.received not republished', {
        ...this.#fields,
        error: error instanceof Error ? error.message : String(error),
      });
      this.#host.retryOutboxLater(this.#session.sessionId);
    }
  };

  /** The first listing, once per attachment; the doorbells held until then follow it in order. */
  #startFirstListing(): Promise<void> {
    this.#firstListing ??= this.#listBacklog().finally(() => {
      const early = this.#earlyRings ?? [];
      this.#earlyRings = undefined;
      for (const id of early) this.#host.scheduler.enqueue(this.#lane, id);
    });
    return this.#firstListing;
  }

  async #listBacklog(): Promise<void> {
    if (this.#detached) return;
    const { deps, scheduler } = this.#host;
    const backlog = await listBacklog(deps.messages, this.#session.sessionId);
    this.#moreBacklog = backlog.more;
    for (const id of backlog.ids) scheduler.enqueue(this.#lane, id);
    if (backlog.ids.length > 0)
      deps.log.info('backlog scheduled', { ...this.#fields, count: backlog.ids.length });
  }

  #send(messageId: string): Promise<SendOutcome> {
    const run = sendMessage(this.#ctx, messageId);
    this.#inFlight.set(messageId, run);
    return run.finally(() => this.#inFlight.delete(messageId));
  }

  async #giveUp(messageId: string, error: unknown): Promise<void> {
    const { deps } = this.#host;
    const message = await deps.messages.get(this.#session.sessionId, messageId);
    if (!message) return;
    const failure =
      error instanceof SendFailure
        ? { code: error.code, message: error.message }
        : { code: 'send_failed', message: 'sending failed repeatedly' };
    deps.log.warn('send given up after retries', {
      ...this.#fields,
      messageId,
      error: error instanceof Error ? error.message : String(error),
    });
    await failSend(this.#ctx, message, failure);
  }

  readonly #onUpsert = (event: BaileysEventMap['messages.upsert']): void => {
    void this.#receiver.onUpsert(event.messages);
    void this.#receipts.onUpsert(event.messages);
  };

  readonly #onUpdate = (updates: BaileysEventMap['messages.update']): void => {
    void this.#receipts.onUpdate(updates);
  };

  readonly #onReceipt = (updates: BaileysEventMap['message-receipt.update']): void => {
    void this.#receipts.onReceipt(updates);
  };
}
