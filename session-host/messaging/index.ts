/**
 * The session host's message flows (docs/messaging.md), as host-core uses them: one `HostMessaging` per
 * process; `attach` a session when its connection opens, `drain()` right after, `ring(id)` for every
 * `message.send` doorbell, `detach()` when the socket closes or the lease is lost, `close()` on shutdown.
 */
import type { proto, WAMessageKey } from '@whiskeysockets/baileys';
import PQueue from 'p-queue';
import { SentMessageArchive } from '../compat/retry-receipts.js';
import { SessionAttachment, type AttachmentHost, type SessionMessaging } from './attachment.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { ReceivedOutbox } from './outbox.js';
import { QueuedSweep } from './queued-sweep.js';
import { SendScheduler } from './scheduler.js';

export type { AttachedSession, MessagingDeps, MessagingLogger } from './deps.js';
export { DEFAULT_MESSAGING_CONFIG, loadMessagingConfig, type MessagingConfig } from './config.js';
export { mediaObjectKey } from '../../shared/domain/media.js';
export { waMessageIdFor } from './wa-message-id.js';
export type { SessionMessaging } from './attachment.js';

export class HostMessaging {
  readonly #scheduler: SendScheduler;
  /** One attachment per session: a second `attach` (a reconnect that skipped `detach`) replaces the first. */
  readonly #attached = new Map<string, SessionAttachment>();
  readonly #outbox: ReceivedOutbox;
  /** Incoming media downloads of every session of the host, `mediaDownloadConcurrency` at once. */
  readonly #downloads: PQueue;
  /** Per attached session: publish its pending `message.received` events again (outbox retries). */
  readonly #republishers = new Map<string, () => Promise<void>>();
  /** Per session: the armed outbox retry, at most one. */
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  /** What each send put on the wire, for retry receipts (any host can answer them). */
  readonly #sent: SentMessageArchive;

  /** What every attachment of this process shares. */
  readonly #attachmentHost: AttachmentHost;
  /** Lists every attached session's `queued` messages now and then (a lost doorbell). */
  readonly #sweep: QueuedSweep;

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
    this.#attachmentHost = {
      deps,
      scheduler: this.#scheduler,
      outbox: this.#outbox,
      downloads: this.#downloads,
      keepSent: (sessionId, messageId, waMessageId, message) =>
        this.#sent.keep(sessionId, messageId, waMessageId, message),
      retryOutboxLater: (sessionId) => this.#retryOutboxLater(sessionId),
      onDetached: (attachment) => {
        this.#cancelOutboxRetry(attachment.sessionId, attachment.republish);
        if (this.#attached.get(attachment.sessionId) === attachment)
          this.#attached.delete(attachment.sessionId);
      },
    };
    this.#sweep = new QueuedSweep({
      everyMs: config.queuedSweepMs,
      sessions: () => this.#attached.values(),
      log: deps.log,
    });
    this.#sweep.start();
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
    const attachment = new SessionAttachment(this.#attachmentHost, session);
    this.#attached.set(session.sessionId, attachment);
    this.#republishers.set(session.sessionId, attachment.republish);
    return attachment;
  }

  /** Stop scheduling new sends; wait for the in-flight send of every session to finish (shutdown). */
  async close(): Promise<void> {
    this.#sweep.stop();
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
