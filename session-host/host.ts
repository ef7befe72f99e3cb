/**
 * The session host process (DESIGN.md section 2, docs/session-host.md): `startSessionHost` composes its parts
 * (config, JSON logs, EMF metrics, adapters, the batching bus and the event outbox, messaging) and opens a
 * `SessionHostProcess` (host-process.ts: command queue, heartbeat, leases, runners, commands, health, stop). Tests
 * run it in process; `main.ts` runs it as a process with a graceful SIGTERM.
 */
import type { AwsClientOptions } from '../shared/adapters/aws/clients.js';
import { composeHostAdapters, endpointsFromEnv, type HostAdapters } from './compose.js';
import { loadHostConfig, type HostConfig } from './config.js';
import { BatchedEventBus } from './events/batched-event-bus.js';
import { EventOutbox } from './events/event-outbox.js';
import { guardConsole } from './console-guard.js';
import { createHostLogger, errorFields, type HostLogger } from './logger.js';
import { SessionHostProcess, type SessionHost } from './host-process.js';
import type { HostMessagingPort } from './messaging-port.js';
import { HostMessaging, loadMessagingConfig } from './messaging/index.js';
import { createHostMetrics, METRIC, type HostMetrics } from './metrics.js';
import { applyServerTrust } from './wa-trust.js';
import type { DebounceTimer } from './debounce-timer.js';
import { CachedGroupRepository } from './groups/cached-groups.js';

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

export type { SessionHost } from './host-process.js';

export async function startSessionHost(options: SessionHostOptions = {}): Promise<SessionHost> {
  const config = options.config ?? loadHostConfig(options.env);
  const env = options.env ?? process.env;
  const log = createHostLogger({
    level: config.logLevel,
    base: { service: config.app.APP_SERVICE_NAME, component: 'session-host', hostId: config.hostId },
  });
  const restoreConsole = options.guardConsole ? guardConsole(log) : undefined;
  const metrics = createHostMetrics({
    enabled: config.metrics,
    namespace: config.metricsNamespace,
    serviceName: config.app.APP_SERVICE_NAME,
    hostId: config.hostId,
  });
  const untrust = applyServerTrust(config.waUrl, config.waRootKey);
  const composed = composeHostAdapters(
    config.app,
    log,
    options.clientOptions ?? { endpoints: endpointsFromEnv(env) },
  );
  const decorated = options.decorateAdapters ? options.decorateAdapters(composed) : composed;
  // Group messages and their receipts read the stored group on every event: through a short cache on the host.
  const adapters = { ...decorated, groups: new CachedGroupRepository(decorated.groups) };
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
    retryMs: loadMessagingConfig(env).outboxRetryMs,
  });
  const buildMessaging = options.messaging ?? defaultMessaging(env);
  const host = new SessionHostProcess({
    config,
    log,
    metrics,
    adapters,
    events,
    outbox,
    messaging: buildMessaging
      ? buildMessaging({ adapters, events, outbox, log, metrics, config })
      : undefined,
    commandWaitSeconds: options.commandWaitSeconds,
    credentialsTimer: options.credentialsTimer,
    restoreProcess: () => {
      untrust();
      restoreConsole?.();
    },
  });
  await host.open();
  return host;
}
