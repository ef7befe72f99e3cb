/**
 * Knobs of the message flows (docs/messaging.md, "Pacing and limits"), read from the environment with zod so a
 * bad value fails at start naming the variable. host-core passes the result to `HostMessaging`.
 */
import { z } from 'zod';
import { ConfigError } from '../../shared/config/app-config.js';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback)
    .transform((v) => v === 'true' || v === '1');

export const MessagingSettingsSchema = z.object({
  /**
   * Minimum gap between two sends of one session, plus a random 0..jitter each time. Bursts at machine speed
   * are what gets numbers banned; the defaults stay under WhatsApp's informal "about one message a second".
   */
  APP_SEND_MIN_GAP_MS: int(1_000),
  APP_SEND_JITTER_MS: int(1_000),
  /**
   * Sends in flight at once across the host's sessions (one per session at most, always). A send is mostly
   * waiting (server ack, credentials write to S3, DynamoDB), so this must cover sessions x rate x latency:
   * 32 sends of ~0.4 s each are ~80 sends/s per host.
   */
  APP_SEND_CONCURRENCY: int(32, 1),
  /** Attempts for a send that failed for a reason that may pass (network, timeout), before it is `failed`. */
  APP_SEND_MAX_ATTEMPTS: int(3, 1),
  APP_SEND_RETRY_BASE_MS: int(2_000, 0),
  /** How long to wait for the server's ack of a sent stanza before treating the attempt as lost. */
  APP_SEND_ACK_TIMEOUT_MS: int(20_000, 100),
  /**
   * Largest media file sent (an uploaded object or a URL download) or received (larger incoming files are
   * described but not downloaded); WhatsApp's own limit is 16 MB for most types.
   */
  APP_MEDIA_MAX_BYTES: int(16 * 1024 * 1024, 1),
  APP_MEDIA_FETCH_TIMEOUT_MS: int(30_000, 100),
  /** Whole download of an incoming media file (it holds the session's later incoming messages back meanwhile). */
  APP_MEDIA_DOWNLOAD_TIMEOUT_MS: int(30_000, 100),
  /**
   * How long to wait for the phone's re-upload of a file WhatsApp's CDN no longer has (404/410); an offline
   * phone never answers, and the session's later incoming messages wait meanwhile. Then `media_expired`.
   */
  APP_MEDIA_REUPLOAD_TIMEOUT_MS: int(15_000, 100),
  /**
   * Incoming media files downloaded at once across the host's sessions. Downloads start when the messages
   * arrive, side by side, while messages are still stored in order; the cap bounds the memory they hold (each
   * file up to APP_MEDIA_MAX_BYTES) when many sessions receive media at once.
   */
  APP_MEDIA_DOWNLOAD_CONCURRENCY: int(8, 1),
  /**
   * After a `message.received` event fails to reach the bus (EventBridge throttling or an outage), the
   * session's pending events are published again this long later (plus up to half of it as jitter), for as
   * long as the session stays on this host; a host that loses it leaves them to the next attach.
   */
  APP_OUTBOX_RETRY_MS: int(15_000, 10),
  /**
   * Every attached session lists its `queued` messages again this often (plus jitter) and sends what it finds:
   * the backstop for a doorbell the API could not ring (an SQS error) and for a drain that failed on attach.
   * One `Query` per session per round; 0 turns it off (then such a message waits for the session's next attach).
   */
  APP_QUEUED_SWEEP_MS: int(30_000, 0),
  /** Cleartext `http:` media URLs (the API accepts them); addresses are vetted either way. */
  APP_MEDIA_ALLOW_HTTP: flag('true'),
  /** Local mode: media URLs on 127.0.0.1 are allowed (never private, link-local or metadata addresses). */
  APP_LOCAL_MODE: flag('false'),
});

export interface MessagingConfig {
  readonly minGapMs: number;
  readonly jitterMs: number;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly ackTimeoutMs: number;
  readonly mediaMaxBytes: number;
  readonly mediaFetchTimeoutMs: number;
  readonly mediaDownloadTimeoutMs: number;
  readonly mediaReuploadTimeoutMs: number;
  readonly mediaDownloadConcurrency: number;
  readonly outboxRetryMs: number;
  readonly queuedSweepMs: number;
  readonly allowHttp: boolean;
  readonly allowLoopback: boolean;
}

/** Defaults for every knob (what an empty environment gives), for tests to override a few. */
export const DEFAULT_MESSAGING_CONFIG: MessagingConfig = loadMessagingConfig({});

export function loadMessagingConfig(env: NodeJS.ProcessEnv = process.env): MessagingConfig {
  const parsed = MessagingSettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const s = parsed.data;
  return {
    minGapMs: s.APP_SEND_MIN_GAP_MS,
    jitterMs: s.APP_SEND_JITTER_MS,
    concurrency: s.APP_SEND_CONCURRENCY,
    maxAttempts: s.APP_SEND_MAX_ATTEMPTS,
    retryBaseMs: s.APP_SEND_RETRY_BASE_MS,
    ackTimeoutMs: s.APP_SEND_ACK_TIMEOUT_MS,
    mediaMaxBytes: s.APP_MEDIA_MAX_BYTES,
    mediaFetchTimeoutMs: s.APP_MEDIA_FETCH_TIMEOUT_MS,
    mediaDownloadTimeoutMs: s.APP_MEDIA_DOWNLOAD_TIMEOUT_MS,
    mediaReuploadTimeoutMs: s.APP_MEDIA_REUPLOAD_TIMEOUT_MS,
    mediaDownloadConcurrency: s.APP_MEDIA_DOWNLOAD_CONCURRENCY,
    outboxRetryMs: s.APP_OUTBOX_RETRY_MS,
    queuedSweepMs: s.APP_QUEUED_SWEEP_MS,
    allowHttp: s.APP_MEDIA_ALLOW_HTTP,
    allowLoopback: s.APP_LOCAL_MODE,
  };
}
