/**
 * The session host process (DESIGN.md section 2, docs/session-host.md): its own command queue, a heartbeat,
 * the lease keeper (claim + renew), one runner per WhatsApp session, the command consumer, a sweeper for dead
 * hosts' queues, `GET /health`, JSON logs and EMF metrics. `startSessionHost` runs it in process (tests);
 * `main.ts` runs it as a process with a graceful SIGTERM.
 */
import type { AwsClientOptions } from '../shared/adapters/aws/clients.js';
import type { HostCommand } from '../shared/contracts/host-command.js';
import type { Session, SessionStatus } from '../shared/domain/session.js';
import { SESSION_TRANSITIONS } from '../shared/domain/session.js';
import { queuedProbe } from './claim-priority.js';
import { CommandConsumer } from './command-consumer.js';
import { composeHostAdapters, endpointsFromEnv, type HostAdapters } from './compose.js';
import { loadHostConfig, type HostConfig } from './config.js';
import { ConnectPacer } from './connect-pacer.js';
import { BatchedEventBus } from './events/batched-event-bus.js';
import { EventOutbox } from './events/event-outbox.js';
import { startHealthServer, type HealthReport, type HealthServer } from './health.js';
import { HostDoorbell } from '../shared/services/host-doorbell.js';
import { DeadHostReleaser } from './dead-host-release.js';
import { Handover } from './handover.js';
import { sweepDeadHosts } from './dead-host-sweep.js';
import { LeaseKeeper } from './leases.js';
import { guardConsole } from './console-guard.js';
import { createHostLogger, errorFields, type HostLogger } from './logger.js';
import { logoutSession } from './logout.js';
import type { HostMessagingPort } from './messaging-port.js';
import { HostMessaging, loadMessagingConfig } from './messaging/index.js';
import { createHostMetrics, METRIC, type HostMetrics } from './metrics.js';
import { requestPairingCode } from './pair-code.js';
import { HostRequests } from './requests/host-requests.js';
import { SessionRunner } from './runner.js';
import { SHUTDOWN, tenantStop } from './stop-plans.js';
import { applyServerTrust } from './wa-trust.js';
import type { DebounceTimer } from './debounce-timer.js';

/** What a messaging implementation gets from the host (the contract's `MessagingDeps` minus its own config). */
export interface HostMessagingContext {
  readonly adapters: HostAdapters;
  readonly events: BatchedEventBus;
  /** Durable publishing over `events` for every event without an outbox of its own (`message.status`). */
  readonly outbox: EventOutbox;
  readonly log: HostLogger;
  readonly metrics: HostMetrics;
  readonly config: HostConfig;
}

export interface SessionHostOptions {
  /** Default: `loadHostConfig(env)`. */
  readonly config?: HostConfig;
  readonly env?: NodeJS.ProcessEnv;
  /** Emulator endpoints and credentials (tests); on AWS the SDK's defaults apply. */
  readonly clientOptions?: AwsClientOptions;
  /**
   * Builds the host's messaging. Default: host-messaging's `HostMessaging` with `loadMessagingConfig(env)`;
   * `false` runs without it (sessions link and stay up, nothing is sent or received).
   */
  readonly messaging?: false | ((context: HostMessagingContext) => HostMessagingPort);
  /** Wraps the composed adapters (tests record the events and browser frames the host sends). */
  readonly decorateAdapters?: (adapters: HostAdapters) => HostAdapters;
  /** The credentials debounce's timer (tests fire it at a chosen moment); default `setTimeout`. */
  readonly credentialsTimer?: DebounceTimer;
  /** Long-poll length of the command queue (default 20 s); tests shorten it. */
  readonly commandWaitSeconds?: number;
  /** Route the process's console (dependencies' prints) to the logger (the host process: see console-guard.ts). */
  readonly guardConsole?: boolean;
}

/** host-messaging's flows over this host's adapters, batching bus, logger and metrics. */
export function defaultMessaging(
  env: NodeJS.ProcessEnv,
): (context: HostMessagingContext) => HostMessagingPort {
  const messagingConfig = loadMessagingConfig(env);
  return ({ adapters, events, outbox, log, metrics }) =>
    new HostMessaging({
      messages: adapters.messages,
      chats: adapters.chats,
      lidMappings: adapters.lidMappings,
      groups: adapters.groups,
      groupReceipts: adapters.groupReceipts,
      pools: adapters.pools,
      events,
      outbox,
      media: adapters.media,
      config: messagingConfig,
      log,
      metrics,
    });
}

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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startSessionHost(options: SessionHostOptions = {}): Promise<SessionHost> {
  const config = options.config ?? loadHostConfig(options.env);
  const { hostId } = config;
  const log = createHostLogger({
    level: config.logLevel,
    base: { service: config.app.APP_SERVICE_NAME, component: 'session-host', hostId },
  });
  const restoreConsole = options.guardConsole ? guardConsole(log) : undefined;
  const metrics = createHostMetrics({
    enabled: config.metrics,
    namespace: config.metricsNamespace,
    serviceName: config.app.APP_SERVICE_NAME,
    hostId,
  });
  const untrust = applyServerTrust(config.waUrl, config.waRootKey);
  const composed = composeHostAdapters(
    config.app,
    log,
    options.clientOptions ?? { endpoints: endpointsFromEnv(options.env ?? process.env) },
  );
  const adapters = options.decorateAdapters ? options.decorateAdapters(composed) : composed;
  const events = new BatchedEventBus({
    target: adapters.eventBus,
    onPublished: (n) => metrics.count(METRIC.eventsPublished, n),
    onError: (error, failed) => {
      metrics.count(METRIC.eventPublishFailures, failed.length);
      log.error('events not published', { count: failed.length, ...errorFields(error) });
    },
  });
  // session.status and message.status go through the outbox: an EventBridge outage delays them, loses none.
  const outbox = new EventOutbox({
    store: adapters.eventOutbox,
    bus: events,
    log,
    retryMs: loadMessagingConfig(options.env ?? process.env).outboxRetryMs,
  });
  const buildMessaging = options.messaging ?? defaultMessaging(options.env ?? process.env);
  const messaging = buildMessaging
    ? buildMessaging({ adapters, events, outbox, log, metrics, config })
    : undefined;
  const runners = new Map<string, SessionRunner>();
  const requests = new HostRequests({ replies: adapters.hostReplies, log });
  const pacer = new ConnectPacer(config.connectConcurrency);
  let state: 'running' | 'stopping' = 'running';
  const started = Date.now();

  const queueUrl = await adapters.commandQueue.create(hostId);
  let lastBeat = Date.now();
  const beat = async (): Promise<void> => {
    // Paused (or partitioned) past the heartbeat's life: a sweeper may have deleted our queue. Making it again
    // is idempotent; on AWS it fails for 60 s after a deletion and is simply tried again on the next beat.
    if (Date.now() - lastBeat > config.heartbeatTtlMs) {
      await adapters.commandQueue.create(hostId);
      log.warn('heartbeat was gone; command queue made again', { queueUrl });
    }
    await adapters.registry.beat(
      {
        hostId,
        queueUrl,
        startedAt: new Date(started).toISOString(),
        capacity: config.capacity,
        sessions: runners.size,
      },
      config.heartbeatTtlMs,
    );
    lastBeat = Date.now();
  };
  await beat();

  const stopWanted = (runner: SessionRunner) => runner.stop(tenantStop());

  const run = (session: Session): void => {
    if (runners.has(session.id) || state !== 'running') return;
    const runner = new SessionRunner(
      {
        ...adapters,
        hostId,
        events: outbox,
        liveEvents: events,
        log,
        config,
        metrics,
        pacer,
        ...(messaging ? { messaging } : {}),
        ...(options.credentialsTimer ? { credentialsTimer: options.credentialsTimer } : {}),
        onStopped: (r) => {
          if (runners.get(r.sessionId) === r) runners.delete(r.sessionId);
          leases.forget(r.sessionId);
        },
      },
      session,
    );
    runners.set(session.id, runner);
    // What a crashed or stopped host left in the session's outbox goes out first (never rejects).
    void outbox.resume(session.id);
    void runner.start();
  };

  const leases = new LeaseKeeper({
    config,
    sessions: adapters.sessions,
    log,
    metrics,
    runners: () => runners.values(),
    load: () => runners.size,
    run,
    stopWanted,
    hasQueued: queuedProbe(adapters.messages),
  });

  const handover = new Handover({
    hostId,
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

  const handle = async (command: HostCommand): Promise<void> => {
    const runner = runners.get(command.sessionId);
    if (!runner && state === 'stopping') return handover.forward(command);
    if (runner && runner.tenantId !== command.tenantId) {
      log.warn('command for another tenant ignored', { sessionId: command.sessionId, type: command.type });
      return;
    }
    switch (command.type) {
      case 'session.start':
        if (!runner) await leases.claimOne(command.sessionId);
        return;
      case 'session.stop': {
        if (!runner) return;
        // A doorbell, maybe stale: act only if the tenant still wants it stopped.
        const session = await adapters.sessions.getById(command.sessionId);
        if (!session || session.desired === 'stopped') await stopWanted(runner);
        return;
      }
      case 'session.logout':
        if (runner) await logoutSession(runner);
        else log.info('logout for a session this host does not run', { sessionId: command.sessionId });
        return;
      case 'session.pairing-code': {
        if (!runner) await leases.claimOne(command.sessionId);
        const target = runners.get(command.sessionId);
        if (!target) return;
        // Not awaited: the socket may need seconds to reach the QR stage; the requestId correlates the answer.
        void requestPairingCode(target, command.phone, command.requestId).catch((error: unknown) =>
          log.warn('pairing code failed', { sessionId: command.sessionId, ...errorFields(error) }),
        );
        return;
      }
      case 'message.send':
        runner?.ring(command.messageId);
        return;
      case 'chat.read':
        runner?.ringRead(command.messageIds);
        return;
      case 'host.request':
        // Not awaited: the API polls for the reply; the next commands of this poll need not wait for WhatsApp.
        void requests.handle(runner, command);
        return;
    }
  };
  const consumer = new CommandConsumer({
    queue: adapters.commandQueue,
    queueUrl,
    log,
    metrics,
    handle,
    ...(options.commandWaitSeconds !== undefined ? { waitSeconds: options.commandWaitSeconds } : {}),
  });

  const byStatus = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const r of runners.values()) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  };
  const health: HealthServer = await startHealthServer(config.healthPort, (): HealthReport => ({
    hostId,
    state,
    capacity: config.capacity,
    sessions: { total: runners.size, byStatus: byStatus() },
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
  }));
  const gauges = () => {
    const counts = byStatus();
    // `SessionsPerHost` drives the service's target tracking (infra/constructs/session-hosts.ts).
    const out: Record<string, number> = { SessionsPerHost: runners.size };
    for (const status of Object.keys(SESSION_TRANSITIONS)) out[`Sessions_${status}`] = counts[status] ?? 0;
    return out;
  };

  const deadHosts = new DeadHostReleaser({
    registry: adapters.registry,
    sessions: adapters.sessions,
    hostId,
    deadAfterMs: config.deadHostAfterMs,
    concurrency: config.claimConcurrency,
    log,
    metrics,
  });
  const releaseDeadHosts = (): void => {
    if (config.deadHostAfterMs === 0 || state !== 'running') return;
    deadHosts
      .releaseDead()
      .then((released) => released > 0 && leases.claimSoon())
      .catch((e: unknown) => log.warn('dead host check failed', errorFields(e)));
  };

  const beatTimer = setInterval(() => {
    beat().catch((e: unknown) => log.warn('heartbeat failed', errorFields(e)));
    releaseDeadHosts();
  }, config.heartbeatIntervalMs);
  const timers = [
    beatTimer,
    setInterval(() => {
      sweepDeadHosts(adapters.registry, adapters.commandQueue, Date.now())
        .then((swept) => swept.length > 0 && log.info('swept dead hosts', { hosts: swept }))
        .catch((e: unknown) => log.warn('sweep failed', errorFields(e)));
    }, config.sweepIntervalMs),
    setInterval(() => metrics.flush(gauges()), config.metricsIntervalMs),
  ];
  for (const t of timers) t.unref();

  leases.start();
  consumer.start();
  log.info('session host started', { queueUrl, healthUrl: health.url, capacity: config.capacity });

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    state = 'stopping';
    log.info('session host stopping', { sessions: runners.size });
    // Sessions move to peers a few at a time (handover.ts); the ones waiting keep their leases and messaging,
    // and the command consumer keeps running to serve them and forward late doorbells.
    leases.stopClaiming();
    // Off the hosts table first, so peers that are handing over themselves do not pick this host.
    clearInterval(beatTimer);
    await adapters.registry
      .remove(hostId)
      .catch((e: unknown) => log.warn('heartbeat not removed', errorFields(e)));
    const handed = await handover.run([...runners.values()]).catch((e: unknown) => {
      log.warn('handover did not complete', errorFields(e));
      return undefined;
    });
    // Doorbells rung by callers that read the old owner may still arrive: forward them for a moment.
    if (handed && handed.sessions > 0) await sleep(config.handoverGraceMs);
    leases.stop();
    await consumer.stop();
    await messaging
      ?.close()
      .catch((e: unknown) => log.warn('messaging did not close cleanly', errorFields(e)));
    await Promise.all([...runners.values()].map((r) => r.stop(SHUTDOWN)));
    outbox.close();
    await events.close();
    for (const t of timers) clearInterval(t);
    await adapters.commandQueue
      .delete(queueUrl)
      .catch((e: unknown) => log.warn('queue not deleted', errorFields(e)));
    // Again: a beat that was in flight when the heartbeat stopped may have written the item back.
    await adapters.registry
      .remove(hostId)
      .catch((e: unknown) => log.warn('heartbeat not removed', errorFields(e)));
    metrics.flush(gauges());
    await health.close();
    adapters.destroy();
    untrust();
    restoreConsole?.();
    log.info('session host stopped');
  };

  return {
    hostId,
    queueUrl,
    healthUrl: health.url,
    config,
    sessions: () => new Map([...runners].map(([id, r]) => [id, r.status])),
    stop: () => (stopping ??= stop()),
  };
}
