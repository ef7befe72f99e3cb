/**
 * EMF metrics through Powertools Metrics. Counters (sends, receipts, reconnects, lease losses...) are summed in
 * memory and published with the session gauges once per interval, so a busy host writes one EMF line a minute
 * instead of one per event. Names are documented in docs/session-host.md.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export interface HostMetrics {
  /** Adds to a counter (default 1); host-messaging uses this too (`MessagesSent`, `ReceiptsReceived`...). */
  count(name: string, value?: number): void;
  /** Publishes the counters and the gauges now. */
  flush(gauges: Readonly<Record<string, number>>): void;
}

export const METRIC = {
  sessionsClaimed: 'SessionsClaimed',
  leaseLost: 'LeaseLost',
  reconnects: 'Reconnects',
  qrShown: 'QrShown',
  qrExpired: 'QrExpired',
  linked: 'SessionsLinked',
  loggedOut: 'SessionsLoggedOut',
  credentialsUnreadable: 'CredentialsUnreadable',
  credentialsWrites: 'CredentialsWrites',
  commands: 'CommandsHandled',
  eventsPublished: 'EventsPublished',
  eventPublishFailures: 'EventPublishFailures',
  sessionsRestricted: 'SessionsRestricted',
  advSecretRotations: 'AdvSecretRotations',
  pairingCodesRejected: 'PairingCodesRejected',
  pairingCodeRefreshes: 'PairingCodeRefreshes',
  pairingPasskeyRequired: 'PairingPasskeyRequired',
  /** Connections WhatsApp closed with 405: most often an outdated WA Web version (APP_WA_VERSION; alarmed). */
  loginsClosed405: 'LoginsClosed405',
  /** Streams ended with `<stream:error><ack/>` (compat/stream-ack.ts). */
  streamErrorAcks: 'StreamErrorAcks',
  /** Sessions of a host with a stale heartbeat released before their lease ran out (dead-host-release.ts). */
  deadHostSessionsReleased: 'DeadHostSessionsReleased',
  /** Sessions handed to another host on a graceful stop (handover.ts). */
  sessionsHandedOver: 'SessionsHandedOver',
} as const;

export function createHostMetrics(options: {
  enabled: boolean;
  namespace: string;
  serviceName: string;
  hostId: string;
}): HostMetrics {
  const counters = new Map<string, number>();
  const metrics = options.enabled
    ? new Metrics({
        namespace: options.namespace,
        serviceName: options.serviceName,
        defaultDimensions: { host: 'session-host' },
      })
    : undefined;
  return {
    count(name, value = 1) {
      counters.set(name, (counters.get(name) ?? 0) + value);
    },
    flush(gauges) {
      if (!metrics) {
        counters.clear();
        return;
      }
      for (const [name, value] of counters) metrics.addMetric(name, MetricUnit.Count, value);
      counters.clear();
      for (const [name, value] of Object.entries(gauges)) metrics.addMetric(name, MetricUnit.Count, value);
      metrics.addMetadata('hostId', options.hostId);
      metrics.publishStoredMetrics();
    },
  };
}
