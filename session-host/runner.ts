/**
 * One WhatsApp session on this host, from the claim to the release (docs/session-host.md, "Lifecycle"). The
 * runner owns the socket and the credentials store and turns Baileys' `connection.update` into the session's
 * status machine. The protocol flows live next to it, one file each: connect, qr, pair-code, reconnect, logout.
 *
 * Invariants:
 * - at most one socket per runner (generation numbers drop the events of an old one);
 * - a lost lease stops the socket at once, writes nothing more and never logs out;
 * - terminal outcomes (logged out, replaced, QR expired, failed) set `desired = stopped` and release, so no
 *   host picks the session up again until the tenant asks: no reconnect loops, no retry storms.
 */
import type { ConnectionState, WASocket } from '@whiskeysockets/baileys';
import { ConflictError } from '../shared/domain/errors.js';
import type { Session, SessionStatus } from '../shared/domain/session.js';
import {
  CredentialsFencedError,
  type CredentialFence,
  type CredentialStore,
} from '../shared/ports/credential-store.js';
import { LeaseLostError, type SessionDetailsPatch } from '../shared/ports/session-repository.js';
import { CredentialsUnreadableError, SessionAuthStore } from './auth-state.js';
import { ReachoutTimelockWatch } from './compat/timelock.js';
import type { HostConfig } from './config.js';
import { StreamAckGuard } from './compat/stream-ack.js';
import { OUTDATED_VERSION_STATUS } from './compat/wa-version.js';
import { closeStatusCode, linkedPhone, linkedPushName, openSocket } from './connect.js';
import { watchUndecryptable } from './compat/lid-decrypt.js';
import type { ConnectPacer } from './connect-pacer.js';
import { errorFields, type HostLogger } from './logger.js';
import { METRIC, type HostMetrics } from './metrics.js';
import type { HostMessagingPort, SessionMessagingPort } from './messaging-port.js';
import { watchCalls } from './calls.js';
import { watchGroups } from './groups/group-watch.js';
import { watchPresence } from './presence-events.js';
import { watchChatState } from './chat-state-events.js';
import { showQr, type QrState } from './qr.js';
import { backoffDelay, closeAction } from './reconnect.js';
import { StatusReporter, type StatusReporterDeps } from './status.js';
import {
  LEASE_LOST,
  failed,
  loggedOut,
  qrExpired,
  replaced,
  retryLater,
  type StopPlan,
} from './stop-plans.js';
import type { BlobStore } from '../shared/ports/blob-store.js';
import type { ChatRepository } from '../shared/ports/chat-repository.js';
import type { EventBus } from '../shared/ports/event-bus.js';
import type { GroupRepository } from '../shared/ports/group-repository.js';
import type { LidMappingRepository } from '../shared/ports/lid-mapping-repository.js';
import type { MessageRepository } from '../shared/ports/message-repository.js';
import { createRetryCounterCache } from './compat/retry-receipts.js';
import { installPairingCompat } from './compat/pairing-hooks.js';
import type { DebounceTimer } from './debounce-timer.js';

export interface RunnerDeps extends StatusReporterDeps {
  readonly config: HostConfig;
  /** Per-key credentials (issue #14), every write fenced by this host's tenure of the lease. */
  readonly credentials: CredentialStore;
  /** The pre-#14 credentials bucket, read once per session to migrate it. */
  readonly legacyCredentials?: BlobStore;
  /** The credentials debounce's timer; default `setTimeout`. */
  readonly credentialsTimer?: DebounceTimer;
  readonly metrics: HostMetrics;
  readonly pacer: ConnectPacer;
  readonly messaging?: HostMessagingPort;
  /** The bus without the outbox, for moments nobody wants replayed late (`presence.updated`). */
  readonly liveEvents?: EventBus;
  readonly lidMappings?: Pick<LidMappingRepository, 'phoneFor'>;
  /** Where chat-state changes from WhatsApp's app state are stored (`chat-state-events.ts`). */
  readonly chats?: Pick<ChatRepository, 'get' | 'setState'>;
  /** Where a rejected call's text reply is queued (`calls.ts`); without it calls are only reported. */
  readonly messages?: Pick<MessageRepository, 'create'>;
  /** Where the account's groups are kept from WhatsApp's notifications; without it they are not watched. */
  readonly groups?: GroupRepository;
  /** Told once the runner has stopped for good (the host forgets it and frees the capacity). */
  readonly onStopped: (runner: SessionRunner) => void;
}

/** How long a graceful stop waits for a send under way (its ack from WhatsApp) before closing the socket. */
const SEND_SETTLE_MS = 5_000;
/** Stored statuses a claim takes over from another host's login without writing `starting` first (see `start`). */
const TAKEOVER_STATUSES: ReadonlySet<SessionStatus> = new Set<SessionStatus>(['connected', 'reconnecting']);

/** Waits for `work` (if any), at most `ms`. */
async function withinMs(work: Promise<void> | undefined, ms: number): Promise<void> {
  if (!work || ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

export class SessionRunner {
  readonly sessionId: string;
  readonly tenantId: string;
  readonly log: HostLogger;
  readonly reporter: StatusReporter;
  auth: SessionAuthStore | undefined;
  socket: WASocket | undefined;
  readonly qr: QrState = { shown: 0, pairingCodeRequested: false };
  #generation = 0;
  #releaseSlot: (() => void) | undefined;
  #reconnectAttempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #messaging: SessionMessagingPort | undefined;
  #stopping: Promise<void> | undefined;
  /** Being handed over: doorbells are no longer taken (handover.ts). */
  #leaving = false;
  #open = false;
  readonly #abort = new AbortController();
  /** Resolves when the current socket first shows a QR (a pairing code can only be asked for then). */
  #qrWaiters: (() => void)[] = [];
  /** Outlives each socket: Baileys' retry counts must survive reconnects, or a retry loop restarts at 0. */
  readonly #retryCounter = createRetryCounterCache();
  readonly #streamAck: StreamAckGuard;
  /** This host's tenure of the lease (owner and epoch of the claim): the fence of every credentials write. */
  readonly #fence: CredentialFence;

  constructor(
    readonly deps: RunnerDeps,
    session: Session,
  ) {
    this.sessionId = session.id;
    this.tenantId = session.tenantId;
    this.#fence = { hostId: deps.hostId, leaseEpoch: session.leaseEpoch ?? 0 };
    this.log = deps.log.child({ sessionId: session.id, tenantId: session.tenantId });
    this.reporter = new StatusReporter({ ...deps, log: this.log }, session, session.status);
    this.#streamAck = new StreamAckGuard({
      maxReconnects: deps.config.streamAckMaxReconnects,
      count: (metric) => deps.metrics.count(metric),
      warn: (message, fields) => this.log.warn(message, fields),
    });
  }

  get status(): SessionStatus {
    return this.reporter.current;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** The current socket is open (logged in). */
  get connected(): boolean {
    return this.#open;
  }

  /**
   * After a successful claim: `starting`, credentials, first socket. Never throws. A takeover of a linked session
   * another host left `connected` or `reconnecting` (a dead host's, a handover's) skips `starting`: the stored
   * status stands until this host's login writes `connected` (no change: no event) or its close writes what
   * followed. That is one guarded write and no `session.status` event per session instead of two of each plus
   * their outbox puts, deletes and browser pushes (docs/session-host.md, "Takeover without `starting`").
   */
  async start(): Promise<void> {
    const resuming = TAKEOVER_STATUSES.has(this.reporter.current);
    try {
      if (!resuming) await this.reporter.report('starting', { qr: null, pairingCode: null });
      this.auth = await SessionAuthStore.load({
        credentials: this.deps.credentials,
        ...(this.deps.legacyCredentials ? { legacy: this.deps.legacyCredentials } : {}),
        sessionId: this.sessionId,
        fence: this.#fence,
        debounceMs: this.deps.config.credentialsDebounceMs,
        ...(this.deps.credentialsTimer ? { timer: this.deps.credentialsTimer } : {}),
        cacheItems: this.deps.config.credentialsCacheItems,
        onWriteError: (error) => this.#onCredentialsWriteError(error),
      });
      // Unlinked after all (the stored status was stale): it needs a QR or a code, so it starts as any other.
      if (resuming && !this.auth.linked)
        await this.reporter.report('starting', { qr: null, pairingCode: null });
    } catch (error) {
      if (error instanceof CredentialsUnreadableError) {
        this.deps.metrics.count(METRIC.credentialsUnreadable);
        this.log.error('credentials unreadable; session failed', { reason: error.reason });
        return this.stop(
          failed(
            'credentials_unreadable',
            `stored credentials cannot be read (${error.reason}); log out and link again`,
          ),
        );
      }
      return this.#onUnexpected(error, 'start');
    }
    await this.connect();
  }

  /** Opens a new socket (after the pacer lets it). */
  async connect(): Promise<void> {
    if (this.stopping || !this.auth) return;
    const generation = ++this.#generation;
    let release: () => void;
    try {
      release = await this.deps.pacer.acquire(this.#abort.signal);
    } catch {
      return; // stopping
    }
    if (this.stopping || generation !== this.#generation) return release();
    this.#releaseSlot = release;
    this.socket = openSocket({
      auth: this.auth,
      waUrl: this.deps.config.waUrl,
      logger: this.log.pino.child({ component: 'baileys' }, { level: this.deps.config.baileysLogLevel }),
      qrTimeoutMs: this.deps.config.qrTimeoutMs,
      ...(this.deps.config.waMediaCa ? { mediaCa: this.deps.config.waMediaCa } : {}),
      getMessage: async (key) => this.deps.messaging?.getMessage?.(this.sessionId, key),
      msgRetryCounterCache: this.#retryCounter,
      ...(this.deps.config.waVersion ? { version: this.deps.config.waVersion } : {}),
      onConnectionUpdate: (update) => {
        if (generation !== this.#generation || this.stopping) return;
        this.#onConnectionUpdate(update).catch((error: unknown) => this.#onUnexpected(error, 'update'));
      },
    });
    watchUndecryptable(this.socket, { metrics: this.deps.metrics, log: this.log });
    installPairingCompat(this, this.socket);
    if (this.deps.liveEvents) {
      watchPresence(this.socket, {
        tenantId: this.tenantId,
        sessionId: this.sessionId,
        events: this.deps.liveEvents,
        ...(this.deps.lidMappings ? { lidMappings: this.deps.lidMappings } : {}),
        log: this.log,
      });
      if (this.deps.chats) {
        watchChatState(this.socket, {
          sessionId: this.sessionId,
          chats: this.deps.chats,
          events: this.deps.liveEvents,
          ...(this.deps.lidMappings ? { lidMappings: this.deps.lidMappings } : {}),
          log: this.log,
        });
      }
    }
    if (this.deps.messages) {
      watchCalls(this.socket, {
        tenantId: this.tenantId,
        sessionId: this.sessionId,
        sessions: this.deps.sessions,
        messages: this.deps.messages,
        events: this.deps.events,
        ...(this.deps.lidMappings ? { lidMappings: this.deps.lidMappings } : {}),
        ring: (messageId) => this.ring(messageId),
        log: this.log,
      });
    }
    if (this.deps.groups) {
      const { tenantId, sessionId, log } = this;
      watchGroups(this.socket, {
        tenantId,
        sessionId,
        groups: this.deps.groups,
        events: this.deps.events,
        log,
      });
    }
    this.#streamAck.watch(this.socket);
  }

  /**
   * Lets the sends already handed to messaging finish, for at most `ms` (a handover, before the socket closes):
   * what is cut stays in DynamoDB for the next owner, but a message finished here is not resent there.
   */
  async settle(ms: number): Promise<void> {
    // New doorbells for this session are left to the next owner's drain: the lane only has to empty.
    this.#leaving = true;
    await withinMs(this.#messaging?.idle?.(), ms);
  }

  /** A `message.send` doorbell; ignored until connected (the drain on connect covers it). */
  ring(messageId: string): void {
    if (this.#leaving) return;
    this.#messaging?.ring(messageId);
  }

  /** A `chat.read` doorbell; ignored until connected (the drain on connect sends what is pending). */
  ringRead(messageIds: readonly string[]): void {
    this.#messaging?.readReceipts?.(messageIds);
  }

  /** Resolves once the current socket shows a QR, or rejects after `ms`. */
  waitForQr(ms: number): Promise<void> {
    if (this.qr.shown > 0 && this.status === 'qr') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#qrWaiters = this.#qrWaiters.filter((w) => w !== wake);
        reject(new Error('no QR stage within the wait'));
      }, ms);
      this.#qrWaiters.push(wake);
    });
  }

  /**
   * Ends the runner by `plan`. Idempotent: the first plan wins. Resolves when the socket is closed and the
   * lease released (or not, per the plan).
   */
  stop(plan: StopPlan): Promise<void> {
    this.#stopping ??= this.#stop(plan);
    return this.#stopping;
  }

  async #stop(plan: StopPlan): Promise<void> {
    this.log.info('session stopping', { why: plan.why });
    this.#abort.abort();
    clearTimeout(this.#reconnectTimer);
    this.#releaseSlot?.();
    const messaging = this.#messaging;
    messaging?.detach();
    this.#messaging = undefined;
    // A graceful stop lets a send under way finish before the socket closes; otherwise it could still move its
    // message after the release, behind the next owner's drain, and stay `sending` there.
    if (plan.flush) await withinMs(messaging?.settled?.(), SEND_SETTLE_MS);
    let leaseHeld = plan.release;
    if (!plan.flush) this.auth?.freeze();
    // The socket closes first, so no key change can slip in after the last write (and a debounced write can
    // never land after the release, where it would collide with the next owner's version).
    this.#endSocket();
    try {
      if (plan.flush) {
        await this.auth?.flush().catch((error: unknown) => {
          if (error instanceof CredentialsFencedError) leaseHeld = false;
          this.log.warn('credentials not flushed on stop', errorFields(error));
        });
        this.auth?.freeze();
      }
      if (plan.eraseCredentials) await this.auth?.erase();
      if (leaseHeld && plan.status) {
        await this.reporter.report(plan.status.status, plan.status.details, plan.status.reason);
      }
      if (leaseHeld && plan.stopDesired) {
        await this.deps.sessions.setDesired(this.tenantId, this.sessionId, 'stopped');
      }
      if (leaseHeld) await this.deps.sessions.release(this.sessionId, this.deps.hostId);
    } catch (error) {
      if (error instanceof LeaseLostError) this.log.warn('lease lost while stopping');
      else this.log.error('stop did not complete', errorFields(error));
    } finally {
      this.#endSocket();
      this.auth?.close();
      this.deps.onStopped(this);
    }
  }

  /** Ignores the current socket's further events (the caller is about to close it on purpose). */
  ignoreSocketEvents(): void {
    this.#generation++;
  }

  /** Hands the open socket to messaging (after a send), when the host has it. */
  attachMessaging(): void {
    if (!this.deps.messaging || !this.socket || !this.auth) return;
    const auth = this.auth;
    const reachout = this.#watchReachoutTimelock(this.socket);
    this.#messaging = this.deps.messaging.attach({
      tenantId: this.tenantId,
      sessionId: this.sessionId,
      socket: this.socket,
      flushCredentials: () => auth.flush(),
      commitWithCredentials: (part) => auth.flushWith(part),
      holdCredentials: () => auth.hold(),
      reachout,
    });
    this.#messaging.drain().catch((error: unknown) => this.log.error('drain failed', errorFields(error)));
  }

  /** The account's reach-out timelock for this socket (it ends with the socket); read once now. */
  #watchReachoutTimelock(socket: WASocket): ReachoutTimelockWatch {
    const watch = new ReachoutTimelockWatch({
      socket,
      tenantId: this.tenantId,
      sessionId: this.sessionId,
      hostId: this.deps.hostId,
      sessions: this.deps.sessions,
      events: this.deps.events,
      metrics: this.deps.metrics,
      log: this.log,
    });
    void watch.refresh('connect');
    return watch;
  }

  async #onConnectionUpdate(update: Partial<ConnectionState>): Promise<void> {
    if (update.qr) {
      this.#releaseSlot?.();
      await showQr(this, update.qr);
      for (const wake of this.#qrWaiters.splice(0)) wake();
    }
    if (update.isNewLogin) {
      this.deps.metrics.count(METRIC.linked);
      // The link (creds `me`, `account`) is durable before anyone is told: a host killed inside the debounce
      // would leave the next owner unlinked creds, a QR, and a ghost device on the phone.
      await this.#flushLinkedCreds();
      await this.#report('pairing', { qr: null }, 'linked on the phone; restarting the connection');
    }
    if (update.connection === 'open') return this.#onOpen();
    if (update.connection === 'close') return this.#onClose(closeStatusCode(update));
  }

  async #onOpen(): Promise<void> {
    this.#open = true;
    this.#streamAck.opened();
    this.#releaseSlot?.();
    this.#reconnectAttempt = 0;
    this.qr.shown = 0;
    this.qr.pairingCodeRequested = false;
    if (!this.auth) return;
    // As on pairing: `connected` is only written over creds another host could log in with (nothing pending: no
    // write).
    await this.#flushLinkedCreds();
    const phone = linkedPhone(this.auth);
    const pushName = linkedPushName(this.auth);
    const ok = await this.#report(
      'connected',
      {
        qr: null,
        pairingCode: null,
        lastError: null,
        ...(phone ? { phone } : {}),
        ...(pushName ? { pushName } : {}),
      },
      'connection open',
    );
    if (ok && !this.stopping) this.attachMessaging();
    this.#replayPresenceSubscriptions();
  }

  /** Writes pending credentials now; a failure is the write path's own (fenced: the lease is gone) and logged. */
  async #flushLinkedCreds(): Promise<void> {
    await this.auth
      ?.flush()
      .catch((error: unknown) => this.log.warn('credentials not flushed after linking', errorFields(error)));
  }

  /** Presence subscriptions made through the API on this runner's earlier sockets (host request `presence.subscribe`). */
  readonly #presenceSubscriptions = new Set<string>();

  rememberPresenceSubscription(jid: string): void {
    this.#presenceSubscriptions.add(jid);
  }

  /** WhatsApp drops a connection's presence subscriptions with it: a new socket subscribes again. */
  #replayPresenceSubscriptions(): void {
    const socket = this.socket;
    if (!socket || this.stopping) return;
    for (const jid of this.#presenceSubscriptions) {
      socket.presenceSubscribe(jid).catch((error: unknown) =>
        this.log.warn('presence subscription not renewed', {
          sessionId: this.sessionId,
          ...errorFields(error),
        }),
      );
    }
  }

  async #onClose(statusCode: number | undefined): Promise<void> {
    this.#open = false;
    this.#releaseSlot?.();
    this.#messaging?.detach();
    this.#messaging = undefined;
    const closed = this.socket;
    this.socket = undefined;
    const linked = this.auth?.linked ?? false;
    if (statusCode === OUTDATED_VERSION_STATUS) this.deps.metrics.count(METRIC.loginsClosed405);
    const action = this.#streamAck.onClose(closed) ?? closeAction(statusCode, linked);
    this.log.info('connection closed', { statusCode, action: action.kind, linked });
    switch (action.kind) {
      case 'restart':
        return this.connect();
      case 'retry': {
        this.deps.metrics.count(METRIC.reconnects);
        const status: SessionStatus = linked ? 'reconnecting' : 'starting';
        if (!(await this.#report(status, {}, `connection closed (${statusCode ?? 'no code'})`))) return;
        const delay = backoffDelay(
          this.#reconnectAttempt++,
          this.deps.config.reconnectBaseMs,
          this.deps.config.reconnectMaxMs,
        );
        this.#reconnectTimer = setTimeout(() => void this.connect(), delay);
        return;
      }
      case 'logged_out':
        this.deps.metrics.count(METRIC.loggedOut);
        return this.stop(loggedOut('the device was unlinked from WhatsApp', 'logged out'));
      case 'replaced':
        return this.stop(replaced());
      case 'qr_expired':
        return this.expireQr();
      case 'failed':
        return this.stop(failed(action.code, action.message));
    }
  }

  /** Nobody linked in time: `qr_expired`, socket closed, lease released. */
  expireQr(): Promise<void> {
    this.deps.metrics.count(METRIC.qrExpired);
    return this.stop(qrExpired());
  }

  /**
   * A guarded status write. Returns false (and stops on a lost lease) instead of throwing; a transition the
   * machine refuses is logged and skipped.
   */
  async #report(status: SessionStatus, details: SessionDetailsPatch, reason: string): Promise<boolean> {
    try {
      await this.reporter.report(status, details, reason);
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        await this.onLeaseLost();
        return false;
      }
      if (error instanceof ConflictError) {
        this.log.warn('status change refused', { from: this.status, to: status });
        return true;
      }
      throw error;
    }
  }

  /** Public for the flows and the lease keeper. */
  writeStatus(status: SessionStatus, details: SessionDetailsPatch, reason: string): Promise<boolean> {
    return this.#report(status, details, reason);
  }

  onLeaseLost(): Promise<void> {
    this.deps.metrics.count(METRIC.leaseLost);
    return this.stop(LEASE_LOST);
  }

  #onCredentialsWriteError(error: unknown): void {
    if (error instanceof CredentialsFencedError) {
      this.log.warn('credentials write refused by the lease fence; treating the lease as lost');
      void this.onLeaseLost();
      return;
    }
    this.log.warn('credentials write failed; tried again after the debounce', errorFields(error));
  }

  async #onUnexpected(error: unknown, where: string): Promise<void> {
    if (error instanceof LeaseLostError || error instanceof CredentialsFencedError) return this.onLeaseLost();
    this.log.error('unexpected error; releasing the session for a later retry', {
      where,
      ...errorFields(error),
    });
    // Transient (S3, KMS, DynamoDB): give the session back; a claim round (maybe on another host) retries.
    return this.stop(retryLater(where));
  }

  #endSocket(): void {
    this.#open = false;
    const socket = this.socket;
    this.socket = undefined;
    this.#generation++;
    if (!socket) return;
    // end() closes the WebSocket without a logout: the device stays linked for the next owner.
    socket.end(undefined).catch(() => undefined);
  }
}
