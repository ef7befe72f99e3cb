/**
 * The session host's message flows (docs/messaging.md), as host-core uses them: one `HostMessaging` per
 * process; `attach` a session when its connection opens, `drain()` right after, `ring(id)` for every
 * `message.send` doorbell, `detach()` when the socket closes or the lease is lost, `close()` on shutdown.
 */
import type { BaileysEventMap, proto, WAMessageKey } from '@whiskeysockets/baileys';
import PQueue from 'p-queue';
import { isId } from '../../shared/domain/ids.js';
import { SessionLidMap } from '../compat/lid-map.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { listBacklog } from './drain.js';
import { ReceiptTracker } from './receipts.js';
import { ReceivedOutbox } from './outbox.js';
import { ReadReceiptSender } from './read.js';
import { MessageReceiver } from './receive.js';
import { SendScheduler, type SendLane } from './scheduler.js';
import { SendFailure } from './send-failure.js';
import { failSend, sendMessage, type SendContext } from './send.js';
import { SentMessageArchive } from '../compat/retry-receipts.js';

export type { AttachedSession, MessagingDeps, MessagingLogger } from './deps.js';
export { DEFAULT_MESSAGING_CONFIG, loadMessagingConfig, type MessagingConfig } from './config.js';
export { mediaObjectKey } from '../../shared/domain/media.js';
export { waMessageIdFor } from './wa-message-id.js';

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

export class HostMessaging {
  readonly #scheduler: SendScheduler;
  /** One attachment per session: a second `attach` (a reconnect that skipped `detach`) replaces the first. */
  readonly #attached = new Map<string, SessionMessaging>();
  readonly #outbox: ReceivedOutbox;
  /** Incoming media downloads of every session of the host, `mediaDownloadConcurrency` at once. */
  readonly #downloads: PQueue;
  /** Per attached session: publish its pending `message.received` events again (outbox retries). */
  readonly #republishers = new Map<string, () => Promise<void>>();
  /** Per session: the armed outbox retry, at most one. */
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  /** What each send put on the wire, for retry receipts (any host can answer them). */
  readonly #sent: SentMessageArchive;

  constructor(private readonly deps: MessagingDeps) {
    this.#outbox = new ReceivedOutbox(deps, (sessionId) => this.#retryOutboxLater(sessionId));
    this.#downloads = new PQueue({ concurrency: deps.config.mediaDownloadConcurrency });
    this.#sent = new SentMessageArchive({ messages: deps.messages, log: deps.log });
    const { config } = deps;
    this.#scheduler = new SendScheduler({
      concurrency: config.concurrency,
      minGapMs: config.minGapMs,
      jitterMs: config.jitterMs,
      maxAttempts: config.maxAttempts,
      retryBaseMs: config.retryBaseMs,
      onError: (message, fields) => deps.log.error(message, fields),
    });
  }

  /**
   * Baileys' `getMessage` for a session's sockets: the message we sent under `key.id` (any jid form), while a
   * retry receipt may still ask for it; undefined otherwise.
   */
  getMessage(sessionId: string, key: WAMessageKey): Promise<proto.IMessage | undefined> {
    return this.#sent.getMessage(sessionId, key);
  }

  /** Subscribes to the socket's message and receipt events and opens a send lane for the session. */
  attach(session: AttachedSession): SessionMessaging {
    // Two lanes for one session would send it out of order and resend each other's in-flight messages.
    this.#attached.get(session.sessionId)?.detach();
    const deps = this.deps;
    const scheduler = this.#scheduler;
    const log = deps.log;
    const fields = { tenantId: session.tenantId, sessionId: session.sessionId };
    const inFlight = new Map<string, Promise<unknown>>();
    let detached = false;
    let moreBacklog = false;

    const lidMap = new SessionLidMap(deps.lidMappings, session, log);
    const stopLearningLids = lidMap.listen();
    const ctx: SendContext = {
      deps,
      session,
      knownRecipients: new Set(),
      recentWaIds: new Map(),
      lidMap,
      isDetached: () => detached,
      keepSent: (messageId, waMessageId, sent) =>
        this.#sent.record(session.sessionId, messageId, waMessageId, sent?.message),
    };
    const lane: SendLane = scheduler.addLane(session.sessionId, {
      send: (messageId) => {
        const run = sendMessage(ctx, messageId);
        inFlight.set(messageId, run);
        return run.finally(() => inFlight.delete(messageId));
      },
      giveUp: async (messageId, error) => {
        const message = await deps.messages.get(session.sessionId, messageId);
        if (!message) return;
        const failure =
          error instanceof SendFailure
            ? { code: error.code, message: error.message }
            : { code: 'send_failed', message: 'sending failed repeatedly' };
        log.warn('send given up after retries', {
          ...fields,
          messageId,
          error: error instanceof Error ? error.message : String(error),
        });
        await failSend(ctx, message, failure);
      },
      onEmpty: () => {
        if (moreBacklog) void drain();
      },
    });

    const receiver = new MessageReceiver(deps, session, this.#outbox, lidMap, this.#downloads);
    const receipts = new ReceiptTracker(deps, session, {
      recentMessageId: (waMessageId) => ctx.recentWaIds.get(waMessageId),
      sendSettled: async (messageId) => {
        await inFlight.get(messageId)?.catch(() => undefined);
      },
    });

    const reads = new ReadReceiptSender(deps, session, () => detached);

    const onUpsert = (event: BaileysEventMap['messages.upsert']): void => {
      void receiver.onUpsert(event.messages);
      void receipts.onUpsert(event.messages);
    };
    const onUpdate = (updates: BaileysEventMap['messages.update']): void => void receipts.onUpdate(updates);
    const onReceipt = (receiptUpdates: BaileysEventMap['message-receipt.update']): void =>
      void receipts.onReceipt(receiptUpdates);
    const ev = session.socket.ev;
    ev.on('messages.upsert', onUpsert);
    ev.on('messages.update', onUpdate);
    ev.on('message-receipt.update', onReceipt);

    const drain = async (): Promise<void> => {
      if (detached) return;
      const backlog = await listBacklog(deps.messages, session.sessionId);
      moreBacklog = backlog.more;
      for (const id of backlog.ids) scheduler.enqueue(lane, id);
      if (backlog.ids.length > 0) log.info('backlog scheduled', { ...fields, count: backlog.ids.length });
    };
    const outbox = this.#outbox;
    const republish = async (): Promise<void> => {
      try {
        const count = await outbox.republishPending(session.sessionId, () => detached);
        if (count > 0) log.info('pending message.received republished', { ...fields, count });
      } catch (error) {
        log.error('pending message.received not republished', {
          ...fields,
          error: error instanceof Error ? error.message : String(error),
        });
        this.#retryOutboxLater(session.sessionId);
      }
    };

    const handle: SessionMessaging = {
      ring: (messageId) => {
        if (!isId(messageId)) {
          log.warn('doorbell with a malformed message id ignored', fields);
          return;
        }
        scheduler.enqueue(lane, messageId);
      },
      readReceipts: (messageIds) => void reads.ring(messageIds),
      drain: async () => {
        await Promise.all([drain(), republish(), reads.drain()]);
      },
      detach: () => {
        if (detached) return;
        detached = true;
        scheduler.removeLane(lane);
        this.#cancelOutboxRetry(session.sessionId, republish);
        ev.off('messages.upsert', onUpsert);
        ev.off('messages.update', onUpdate);
        ev.off('message-receipt.update', onReceipt);
        stopLearningLids();
        if (this.#attached.get(session.sessionId) === handle) this.#attached.delete(session.sessionId);
      },
      settled: async () => {
        await Promise.allSettled([...inFlight.values()]);
      },
      idle: async () => {
        await scheduler.whenIdle(lane);
        await Promise.all([receiver.idle(), receipts.idle(), reads.idle()]);
      },
    };
    this.#attached.set(session.sessionId, handle);
    this.#republishers.set(session.sessionId, republish);
    return handle;
  }

  /** Stop scheduling new sends; wait for the in-flight send of every session to finish (shutdown). */
  async close(): Promise<void> {
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
    this.#republishers.clear();
    await this.#scheduler.close();
  }

  /**
   * Arms one republish round for the session, `outboxRetryMs` (plus jitter, so sessions hit by one outage do
   * not retry in step) from now, unless one is armed already or the session is no longer attached here. A
   * round that fails again arms the next one, so retries go on at that pace while the session stays here.
   */
  #retryOutboxLater(sessionId: string): void {
    if (this.#retryTimers.has(sessionId) || !this.#republishers.has(sessionId)) return;
    const delay = this.deps.config.outboxRetryMs * (1 + Math.random() / 2);
    const timer = setTimeout(() => {
      this.#retryTimers.delete(sessionId);
      void this.#republishers.get(sessionId)?.();
    }, delay);
    timer.unref();
    this.#retryTimers.set(sessionId, timer);
  }

  /** On detach: a later attachment (maybe on another host) republishes; this one's retry must not. */
  #cancelOutboxRetry(sessionId: string, republish: () => Promise<void>): void {
    if (this.#republishers.get(sessionId) !== republish) return;
    this.#republishers.delete(sessionId);
    clearTimeout(this.#retryTimers.get(sessionId));
    this.#retryTimers.delete(sessionId);
  }
}
