/**
 * Exponential backoff for webhook retries. With the defaults (10 s, factor 5, 8 attempts) the retries come after
 * about 10 s, 50 s, 4 min, 21 min, 1.7 h, 8.7 h and 12 h: a receiver may be down for a day before the delivery
 * is `failed`. Jitter spreads a burst of failures so a recovering receiver is not hit by all of them at once.
 */
import { MAX_VISIBILITY_SECONDS } from '../../ports/delivery-job-queue.js';
import type { WebhookSettings } from './webhook-settings.js';

export function retryDelaySeconds(
  settings: Pick<WebhookSettings, 'APP_WEBHOOK_RETRY_BASE_SECONDS' | 'APP_WEBHOOK_RETRY_FACTOR'>,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const raw = settings.APP_WEBHOOK_RETRY_BASE_SECONDS * Math.pow(settings.APP_WEBHOOK_RETRY_FACTOR, exponent);
  const jittered = raw * (0.8 + 0.4 * random());
  return Math.min(MAX_VISIBILITY_SECONDS, Math.round(jittered));
}
