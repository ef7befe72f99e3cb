/**
 * One running session host: its command queue and heartbeat, the lease keeper, one runner per session, the
 * command consumer, the dead-host releaser and sweeper, `GET /health` and the metrics gauges, and the graceful
 * stop (handover). `startSessionHost` (host.ts) composes its parts and opens it.
 */
import type { Session, SessionStatus } from '../shared/domain/session.js';
import { SESSION_TRANSITIONS } from '../shared/domain/session.js';
import { HostDoorbell } from '../shared/services/host-doorbell.js';
import { queuedProbe } from './claim-priority.js';
import { CommandConsumer } from './command-consumer.js';
import type { HostAdapters } from './compose.js';
import type { HostConfig } from './config.js';
import { ConnectPacer } from './connect-pacer.js';
import { DeadHostReleaser } from './dead-host-release.js';
import { sweepDeadHosts } from './dead-host-sweep.js';
import type { DebounceTimer } from './debounce-timer.js';
import type { BatchedEventBus } from './events/batched-event-bus.js';
import type { EventOutbox } from './events/event-outbox.js';
import { Handover } from './handover.js';
import { startHealthServer, type HealthReport, type HealthServer } from './health.js';
import { HostCommandHandlers } from './host-commands.js';
import { LeaseKeeper } from './leases.js';
import { errorFields, type HostLogger } from './logger.js';
import type { HostMessagingPort } from './messaging-port.js';
import type { HostMetrics } from './metrics.js';
import { HostRequests } from './requests/host-requests.js';
import { SessionRunner } from './runner.js';
import { retryStartStep } from './start-retry.js';
import { SHUTDOWN, tenantStop } from './stop-plans.js';

export interface SessionHost {
  readonly hostId: string;
  readonly queueUrl: string;
  readonly healthUrl: string;
  readonly config: HostConfig;
  /** The sessions this host runs now, with their last written status. */
  sessions(): ReadonlyMap<string, SessionStatus>;
  /** Graceful: stop claiming, flush credentials, close sockets without logging out, release leases. */
  stop(): Promise<void>;
}

/** What `startSessionHost` composed for the host. */
export interface HostParts {
  readonly config: HostConfig;
  readonly log: HostLogger;
  readonly metrics: HostMetrics;
  readonly adapters: HostAdapters;
  readonly events: BatchedEventBus;
  readonly outbox: EventOutbox;
  readonly messaging: HostMessagingPort | undefined;
  readonly commandWaitSeconds: number | undefined;
  /** The credentials debounce's timer (tests fire it at a chosen moment); default `setTimeout`. */
  readonly credentialsTimer?: DebounceTimer | undefined;
  /** Undoes what composing did to the process (server trust, console guard), last thing on stop. */
  readonly restoreProcess: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SessionHostProcess implements SessionHost {
  readonly hostId: string;
  readonly config: HostConfig;
  readonly #parts: HostParts;
  readonly #runners = new Map<string, SessionRunner>();
  readonly #pacer: ConnectPacer;
  readonly #leases: LeaseKeeper;
  readonly #handover: Handover;
  readonly #deadHosts: DeadHostReleaser;
  readonly #started = Date.now();
  #state: 'running' | 'stopping' = 'running';
  #lastBeat = Date.now();
  #queueUrl: string | undefined;
  #health: HealthServer | undefined;
  #consumer: CommandConsumer | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  #timers: NodeJS.Timeout[] = [];
  #stopping: Promise<void> | undefined;

  constructor(parts: HostParts) {
    this.#parts = parts;
    this.config = parts.config;
    this.hostId = parts.config.hostId;
    const { adapters, config, log, metrics } = parts;
    this.#pacer = new ConnectPacer(config.connectConcurrency);
    this.#leases = new LeaseKeeper({
      config,
      sessions: adapters.sessions,
      log,
      metrics,
      runners: () => this.#runners.values(),
      load: () => this.#runners.size,
      run: (session) => this.#run(session),
      stopWanted: (runner) => runner.stop(tenantStop()),
      hasQueued: queuedProbe(adapters.messages),
    });
    this.#handover = new Handover({
      hostId: this.hostId,
      registry: adapters.registry,
      queue: adapters.commandQueue,
      sessions: adapters.sessions,
      doorbell: new HostDoorbell(adapters.commandQueue, log),
      liveWithinMs: config.deadHostAfterMs || config.heartbeatTtlMs,
      concurrency: config.handoverConcurrency,
      settleMs: config.handoverSettleMs,
      waitMs: config.handoverWaitMs,
      maxMs: config.handoverMaxMs,
      log,
      metrics,
    });
    this.#deadHosts = new DeadHostReleaser({
      registry: adapters.registry,
      sessions: adapters.sessions,
      hostId: this.hostId,
      deadAfterMs: config.deadHostAfterMs,
      concurrency: config.claimConcurrency,
      log,
      metrics,
    });
  }

  get queueUrl(): string {
    if (this.#queueUrl === undefined) throw new Error('session host not open');
    return this.#queueUrl;
  }

  get healthUrl(): string {
    if (this.#health === undefined) throw new Error('session host not open');
    return this.#health.url;
  }

  /**
   * Makes the command queue, beats once (each step tried again on a fault: start-retry.ts), then starts claiming,
   * consuming, the health server and the timers.
   */
  async open(): Promise<void> {
    const { adapters, config, log, metrics } = this.#parts;
    this.#queueUrl = await retryStartStep('command queue', () => adapters.commandQueue.create(this.hostId), {
      log,
    });
    await retryStartStep('first heartbeat', () => this.#beat(), { log });
    const commands = new HostCommandHandlers({
      runners: this.#runners,
      stopping: () => this.#state === 'stopping',
      leases: this.#leases,
      sessions: adapters.sessions,
      handover: this.#handover,
      requests: new HostRequests({ replies: adapters.hostReplies, log }),
      log,
    });
    this.#consumer = new CommandConsumer({
      queue: adapters.commandQueue,
      queueUrl: this.#queueUrl,
      log,
      metrics,
      handle: (command) => commands.handle(command),
      ...(this.#parts.commandWaitSeconds !== undefined
        ? { waitSeconds: this.#parts.commandWaitSeconds }
        : {}),
    });
    this.#health = await startHealthServer(config.healthPort, () => this.#healthReport());
    this.#startTimers();
    this.#leases.start();
    this.#consumer.start();
    log.info('session host started', {
      queueUrl: this.#queueUrl,
      healthUrl: this.#health.url,
      capacity: config.capacity,
    });
  }

  sessions(): ReadonlyMap<string, SessionStatus> {
    return new Map([...this.#runners].map(([id, r]) => [id, r.status]));
  }

  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  /** Registers this host as alive (the hosts table), with its load. */
  async #beat(): Promise<void> {
    const { adapters, config, log } = this.#parts;
    // Paused (or partitioned) past the heartbeat's life: a sweeper may have deleted our queue. Making it again
    // is idempotent; on AWS it fails for 60 s after a deletion and is simply tried again on the next beat.
    if (Date.now() - this.#lastBeat > config.heartbeatTtlMs) {
      await adapters.commandQueue.create(this.hostId);
      log.warn('heartbeat was gone; command queue made again', { queueUrl: this.#queueUrl });
    }
    await adapters.registry.beat(
      {
        hostId: this.hostId,
        queueUrl: this.queueUrl,
        startedAt: new Date(this.#started).toISOString(),
        capacity: config.capacity,
        sessions: this.#runners.size,
      },
      config.heartbeatTtlMs,
    );
    this.#lastBeat = Date.now();
  }

  /** Starts a runner for a session the lease keeper claimed. */
  #run(session: Session): void {
    if (this.#runners.has(session.id) || this.#state !== 'running') return;
    const { adapters, config, log, metrics, events, outbox, messaging } = this.#parts;
    const runner = new SessionRunner(
      {
        ...adapters,
        hostId: this.hostId,
        events: outbox,
        liveEvents: events,
        log,
        config,
        metrics,
        pacer: this.#pacer,
        ...(messaging ? { messaging } : {}),
        ...(this.#parts.credentialsTimer ? { credentialsTimer: this.#parts.credentialsTimer } : {}),
        onStopped: (r) => {
          if (this.#runners.get(r.sessionId) === r) this.#runners.delete(r.sessionId);
          this.#leases.forget(r.sessionId);
        },
      },
      session,
    );
    this.#runners.set(session.id, runner);
    // What a crashed or stopped host left in the session's outbox goes out first (never rejects).
    void outbox.resume(session.id);
    void runner.start();
  }

  #startTimers(): void {
    const { adapters, config, log, metrics } = this.#parts;
    this.#beatTimer = setInterval(() => {
      this.#beat().catch((e: unknown) => log.warn('heartbeat failed', errorFields(e)));
      this.#releaseDeadHosts();
    }, config.heartbeatIntervalMs);
    this.#timers = [
      this.#beatTimer,
      setInterval(() => {
        sweepDeadHosts(adapters.registry, adapters.commandQueue, Date.now())
          .then((swept) => swept.length > 0 && log.info('swept dead hosts', { hosts: swept }))
          .catch((e: unknown) => log.warn('sweep failed', errorFields(e)));
      }, config.sweepIntervalMs),
      setInterval(() => metrics.flush(this.#gauges()), config.metricsIntervalMs),
    ];
    for (const t of this.#timers) t.unref();
  }

  #releaseDeadHosts(): void {
    if (this.config.deadHostAfterMs === 0 || this.#state !== 'running') return;
    this.#deadHosts
      .releaseDead()
      .then((released) => released > 0 && this.#leases.claimSoon())
      .catch((e: unknown) => this.#parts.log.warn('dead host check failed', errorFields(e)));
  }

  #byStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.#runners.values()) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  }

  #healthReport(): HealthReport {
    return {
      hostId: this.hostId,
      state: this.#state,
      capacity: this.config.capacity,
      sessions: { total: this.#runners.size, byStatus: this.#byStatus() },
      uptimeSeconds: Math.round((Date.now() - this.#started) / 1000),
    };
  }

  #gauges(): Record<string, number> {
    const counts = this.#byStatus();
    // `SessionsPerHost` drives the service's target tracking (infra/constructs/session-hosts.ts).
    const out: Record<string, number> = { SessionsPerHost: this.#runners.size };
    for (const status of Object.keys(SESSION_TRANSITIONS)) out[`Sessions_${status}`] = counts[status] ?? 0;
    return out;
  }

  async #stop(): Promise<void> {
    const { adapters, config, log, metrics, events, outbox, messaging } = this.#parts;
    const warn = (what: string) => (e: unknown) => log.warn(what, errorFields(e));
    this.#state = 'stopping';
    log.info('session host stopping', { sessions: this.#runners.size });
    // Sessions move to peers a few at a time (handover.ts); the ones waiting keep their leases and messaging,
    // and the command consumer keeps running to serve them and forward late doorbells.
    this.#leases.stopClaiming();
    // Off the hosts table first, so peers that are handing over themselves do not pick this host.
    clearInterval(this.#beatTimer);
    await adapters.registry.remove(this.hostId).catch(warn('heartbeat not removed'));
    const handed = await this.#handover.run([...this.#runners.values()]).catch((e: unknown) => {
      warn('handover did not complete')(e);
      return undefined;
    });
    // Doorbells rung by callers that read the old owner may still arrive: forward them for a moment.
    if (handed && handed.sessions > 0) await sleep(config.handoverGraceMs);
    this.#leases.stop();
    await this.#consumer?.stop();
    await messaging?.close().catch(warn('messaging did not close cleanly'));
    await Promise.all([...this.#runners.values()].map((r) => r.stop(SHUTDOWN)));
    outbox.close();
    await events.close();
    for (const t of this.#timers) clearInterval(t);
    await adapters.commandQueue.delete(this.queueUrl).catch(warn('queue not deleted'));
    // Again: a beat that was in flight when the heartbeat stopped may have written the item back.
    await adapters.registry.remove(this.hostId).catch(warn('heartbeat not removed'));
    metrics.flush(this.#gauges());
    await this.#health?.close();
    adapters.destroy();
    this.#parts.restoreProcess();
    log.info('session host stopped');
  }
}
