/**
 * Delivery tuning, read from the environment (every variable optional; the defaults are production values).
 * Tests and benchmarks shorten the backoff through `startLocalCloud({ env })`.
 */
import * as z from 'zod';
import { QUEUES } from '../../definitions/queues.js';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

export const WebhookSettingsSchema = z.object({
  /** Per attempt: connect + response. The delivery function's own timeout is a sixth of the visibility timeout. */
  APP_WEBHOOK_TIMEOUT_MS: int(5_000, 100),
  /** Backoff before retry n (n = 1, 2...) is `base * factor^(n-1)` seconds, capped at 12 h, with +-20% jitter. */
  APP_WEBHOOK_RETRY_BASE_SECONDS: int(10),
  APP_WEBHOOK_RETRY_FACTOR: int(5, 1),
  /**
   * Attempts (POSTs) before the delivery is `failed`. Below the queue's `maxReceiveCount`, which also counts
   * receives that never reached a POST: the DLQ must take only what the worker itself keeps failing on.
   */
  APP_WEBHOOK_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(QUEUES.webhookDelivery.maxReceiveCount - 1)
    .default(8),
  /** Auto-disable: an endpoint failing this many attempts in a row... */
  APP_WEBHOOK_DISABLE_AFTER_FAILURES: int(100, 1),
  /** ...for at least this long (default 5 days) is disabled. Both must hold. */
  APP_WEBHOOK_DISABLE_AFTER_SECONDS: int(5 * 24 * 3600),
  /**
   * Requests in flight to one endpoint (origin) per delivery function instance; the others of the batch wait
   * for a slot, while the deliveries to other endpoints go ahead.
   */
  APP_WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT: int(5, 1),
  /** Receivers' answers are not needed; read at most this much of a response. */
  APP_WEBHOOK_MAX_RESPONSE_BYTES: int(64 * 1024, 1),
});
export type WebhookSettings = z.infer<typeof WebhookSettingsSchema>;

export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  return WebhookSettingsSchema.parse(env);
}
