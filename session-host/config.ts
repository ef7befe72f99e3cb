/**
 * Session host configuration (docs/session-host.md, "Environment"). The AWS/resource part is the shared
 * `AppConfig`; the host's own knobs (capacity, lease timing, reconnect backoff, QR limits, pacing) are parsed
 * here with zod so a bad value fails at start naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { WAVersion } from '@whiskeysockets/baileys';
import { AppConfigSchema, ConfigError, type AppConfig } from '../shared/config/app-config.js';
import { WaVersionSchema } from './compat/wa-version.js';
import { defaultConnectConcurrency } from './connect-pacer.js';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** A host id names an SQS queue (`<prefix>host-<id>`): letters, digits, `-` and `_` only. */
export const HostIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,48}$/, 'letters, digits, - and _ only, at most 48 characters');

export const HostSettingsSchema = z
  .object({
    /** Unique per task (e.g. the ECS task id); default hostname + random so two processes never share one. */
    APP_HOST_ID: HostIdSchema.optional(),
    /** Sessions this host drives at most. */
    APP_HOST_CAPACITY: int(200, 1),
    /** Lease length; several renew intervals long so a slow renew or clock skew does not drop a session. */
    APP_LEASE_MS: int(10_000, 1_000),
    APP_LEASE_RENEW_MS: int(3_000, 100),
    /** How often the host looks for orphaned or new sessions, plus a random 0..jitter on every round. */
    APP_CLAIM_INTERVAL_MS: int(2_000, 50),
    APP_CLAIM_JITTER_MS: int(1_000, 0),
    /** Conditional claim writes in flight at once in a claim round (and queued-message probes before it). */
    APP_CLAIM_CONCURRENCY: int(8, 1),
    /** QR codes shown per link attempt before the session is `qr_expired` and its socket closed. */
    APP_QR_REFRESH_LIMIT: int(5, 1),
    /** Life of one QR as Baileys rotates them (its `qrTimeout`); also the `expiresAt` written on the session. */
    APP_QR_TIMEOUT_MS: int(20_000, 1_000),
    /** Reconnect backoff for transient closes: full jitter between 0 and min(max, base * 2^attempt). */
    APP_RECONNECT_BASE_MS: int(1_000, 10),
    APP_RECONNECT_MAX_MS: int(60_000, 10),
    /** How long a pairing code may be typed on the phone (WhatsApp accepts it for about three minutes). */
    APP_PAIRING_CODE_TTL_MS: int(180_000, 1_000),
    /**
     * Concurrent connect handshakes (CPU-bound key generation and prekey upload); the rest wait their turn.
     * Unset: sized to the host's CPUs (`defaultConnectConcurrency`, connect-pacer.ts).
     */
    APP_CONNECT_CONCURRENCY: z.coerce.number().int().min(1).optional(),
    /** Credentials are written at most this often while keys change, and always on flush and shutdown. */
    APP_CREDENTIALS_DEBOUNCE_MS: int(1_000, 0),
    /** Signal keys kept in memory per session (an LRU; the rest are read from the credentials table when used). */
    APP_CREDENTIALS_CACHE_ITEMS: int(2_048, 1),
    /** How often the host writes its heartbeat (one write per host, whatever its session count). */
    APP_HEARTBEAT_INTERVAL_MS: int(1_000, 100),
    /**
     * A host whose heartbeat is this old (item still present) is taken for dead: survivors release its
     * sessions before their leases run out (dead-host-release.ts). 0 turns early release off.
     */
    APP_DEAD_HOST_AFTER_MS: int(5_000, 0),
    /**
     * Graceful stop (handover.ts): sessions moved to peers at once, how long each one's pending sends may take
     * to finish, how long to wait for it to connect on the peer, and how long to keep forwarding late doorbells
     * after the last one left.
     */
    APP_HANDOVER_CONCURRENCY: int(8, 1),
    APP_HANDOVER_SETTLE_MS: int(2_000, 0),
    APP_HANDOVER_WAIT_MS: int(5_000, 0),
    APP_HANDOVER_GRACE_MS: int(1_000, 0),
    /** Budget of the whole handover; under main.ts's stop deadline (100 s) and the ECS stop timeout (120 s). */
    APP_HANDOVER_MAX_MS: int(60_000, 0),
    /** Heartbeat item lifetime: a host whose heartbeat is older than this is dead and its queue is swept. */
    APP_HEARTBEAT_TTL_MS: int(60_000, 1_000),
    APP_SWEEP_INTERVAL_MS: int(60_000, 100),
    /** Port of `GET /health`; 0 picks a free one. Default 8080, or 0 in local mode (several hosts per machine). */
    APP_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** WhatsApp Web socket URL; a loopback URL (the simulator) makes the host trust `APP_WA_ROOT_PUBLIC_KEY`. */
    APP_WA_URL: z.url().default('wss://web.whatsapp.com/ws/chat'),
    /** The simulator's root public key (64 hex). Ignored unless `APP_WA_URL` is loopback. */
    APP_WA_ROOT_PUBLIC_KEY: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
      .optional(),
    /**
     * PEM text of a certificate to trust for media uploads (Baileys' `fetchAgent`): the simulator's self-signed
     * media host. Local mode only; in AWS uploads go to WhatsApp's hosts with the system's CAs.
     */
    APP_WA_MEDIA_CA: z
      .string()
      .regex(/-----BEGIN CERTIFICATE-----/, 'must be PEM text (-----BEGIN CERTIFICATE-----...), not a path')
      .optional(),
    /** Read here only to gate APP_WA_MEDIA_CA (the shared AppConfig owns it). */
    APP_LOCAL_MODE: flag,
    APP_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Baileys' own logs are noisy; they go to the same JSON stream at this level. */
    APP_BAILEYS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'),
    /** EMF metrics on stdout (CloudWatch extracts them); off in tests to keep stdout for the host's logs. */
    APP_METRICS: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    APP_METRICS_NAMESPACE: z.string().min(1).default('WaPlatform/SessionHost'),
    APP_METRICS_INTERVAL_MS: int(60_000, 100),
    /** WhatsApp Web version to announce (`2.3000.1043857760`); unset: the one Baileys ships. See compat/wa-version.ts. */
    APP_WA_VERSION: WaVersionSchema.optional(),
    /** Streams ended with `<stream:error><ack/>` reconnected in a row before the session is `failed`. */
    APP_STREAM_ACK_RETRIES: int(5, 0),
  })
  .refine((s) => s.APP_LEASE_RENEW_MS * 2 <= s.APP_LEASE_MS, {
    message: 'APP_LEASE_RENEW_MS must be at most half of APP_LEASE_MS (a renewal may fail once)',
    path: ['APP_LEASE_RENEW_MS'],
  })
  .refine(
    (s) => s.APP_DEAD_HOST_AFTER_MS === 0 || s.APP_DEAD_HOST_AFTER_MS >= 3 * s.APP_HEARTBEAT_INTERVAL_MS,
    {
      message:
        'must be 0 (off) or at least 3 heartbeat intervals (a late or failed beat must not look like death)',
      path: ['APP_DEAD_HOST_AFTER_MS'],
    },
  )
  .refine((s) => s.APP_DEAD_HOST_AFTER_MS < s.APP_HEARTBEAT_TTL_MS, {
    message:
      "must be under APP_HEARTBEAT_TTL_MS (the sweeper deletes a dead host's item, and with it the evidence)",
    path: ['APP_DEAD_HOST_AFTER_MS'],
  })
  .refine((s) => s.APP_RECONNECT_BASE_MS <= s.APP_RECONNECT_MAX_MS, {
    message: 'must not exceed APP_RECONNECT_MAX_MS',
    path: ['APP_RECONNECT_BASE_MS'],
  })
  .refine((s) => s.APP_WA_MEDIA_CA === undefined || s.APP_LOCAL_MODE, {
    message:
      'is only accepted with APP_LOCAL_MODE=true (it trusts an extra certificate for media uploads: the simulator)',
    path: ['APP_WA_MEDIA_CA'],
  });

export interface HostConfig {
  readonly app: AppConfig;
  readonly hostId: string;
  readonly capacity: number;
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly claimIntervalMs: number;
  readonly claimJitterMs: number;
  readonly claimConcurrency: number;
  readonly qrRefreshLimit: number;
  readonly qrTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly pairingCodeTtlMs: number;
  readonly connectConcurrency: number;
  readonly credentialsDebounceMs: number;
  readonly credentialsCacheItems: number;
  readonly heartbeatIntervalMs: number;
  /** 0: no early release of dead hosts' sessions. */
  readonly deadHostAfterMs: number;
  readonly heartbeatTtlMs: number;
  readonly handoverConcurrency: number;
  readonly handoverSettleMs: number;
  readonly handoverWaitMs: number;
  readonly handoverGraceMs: number;
  readonly handoverMaxMs: number;
  readonly sweepIntervalMs: number;
  readonly healthPort: number;
  readonly waUrl: string;
  readonly waRootKey?: string;
  /** Extra certificate (PEM) trusted for media uploads; local mode only. */
  readonly waMediaCa?: string;
  readonly logLevel: string;
  readonly baileysLogLevel: string;
  readonly metrics: boolean;
  readonly metricsNamespace: string;
  readonly metricsIntervalMs: number;
  /** APP_WA_VERSION; undefined: Baileys' own. */
  readonly waVersion?: WAVersion;
  readonly streamAckMaxReconnects: number;
}

export function defaultHostId(): string {
  const base = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 32);
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/** Parses the whole environment; the error lists every bad variable by name (never its value). */
export function loadHostConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const app = AppConfigSchema.safeParse(env);
  const host = HostSettingsSchema.safeParse(env);
  const issues = [...(app.error?.issues ?? []), ...(host.error?.issues ?? [])];
  if (!app.success || !host.success) {
    throw new ConfigError(
      `invalid configuration: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const s = host.data;
  return {
    app: app.data,
    hostId: s.APP_HOST_ID ?? defaultHostId(),
    capacity: s.APP_HOST_CAPACITY,
    leaseMs: s.APP_LEASE_MS,
    renewMs: s.APP_LEASE_RENEW_MS,
    claimIntervalMs: s.APP_CLAIM_INTERVAL_MS,
    claimJitterMs: s.APP_CLAIM_JITTER_MS,
    claimConcurrency: s.APP_CLAIM_CONCURRENCY,
    qrRefreshLimit: s.APP_QR_REFRESH_LIMIT,
    qrTimeoutMs: s.APP_QR_TIMEOUT_MS,
    reconnectBaseMs: s.APP_RECONNECT_BASE_MS,
    reconnectMaxMs: s.APP_RECONNECT_MAX_MS,
    pairingCodeTtlMs: s.APP_PAIRING_CODE_TTL_MS,
    connectConcurrency: s.APP_CONNECT_CONCURRENCY ?? defaultConnectConcurrency(),
    credentialsDebounceMs: s.APP_CREDENTIALS_DEBOUNCE_MS,
    credentialsCacheItems: s.APP_CREDENTIALS_CACHE_ITEMS,
    heartbeatIntervalMs: s.APP_HEARTBEAT_INTERVAL_MS,
    deadHostAfterMs: s.APP_DEAD_HOST_AFTER_MS,
    heartbeatTtlMs: s.APP_HEARTBEAT_TTL_MS,
    handoverConcurrency: s.APP_HANDOVER_CONCURRENCY,
    handoverSettleMs: s.APP_HANDOVER_SETTLE_MS,
    handoverWaitMs: s.APP_HANDOVER_WAIT_MS,
    handoverGraceMs: s.APP_HANDOVER_GRACE_MS,
    handoverMaxMs: s.APP_HANDOVER_MAX_MS,
    sweepIntervalMs: s.APP_SWEEP_INTERVAL_MS,
    healthPort: s.APP_HEALTH_PORT ?? (app.data.APP_LOCAL_MODE ? 0 : 8080),
    waUrl: s.APP_WA_URL,
    ...(s.APP_WA_ROOT_PUBLIC_KEY ? { waRootKey: s.APP_WA_ROOT_PUBLIC_KEY } : {}),
    ...(s.APP_WA_MEDIA_CA ? { waMediaCa: s.APP_WA_MEDIA_CA } : {}),
    logLevel: s.APP_LOG_LEVEL,
    baileysLogLevel: s.APP_BAILEYS_LOG_LEVEL,
    metrics: s.APP_METRICS,
    metricsNamespace: s.APP_METRICS_NAMESPACE,
    metricsIntervalMs: s.APP_METRICS_INTERVAL_MS,
    ...(s.APP_WA_VERSION ? { waVersion: s.APP_WA_VERSION } : {}),
    streamAckMaxReconnects: s.APP_STREAM_ACK_RETRIES,
  };
}
