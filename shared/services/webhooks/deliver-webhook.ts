/**
 * One attempt at one delivery job: sign the event (Standard Webhooks), POST it to the vetted address with a
 * timeout, record the attempt, and tell the caller what to do with the queue message:
 *
 * - `done`: delivered, or nothing left to do (already delivered, delivery expired, endpoint deleted/disabled);
 * - `retry`: keep the message and show it again after `delaySeconds` (exponential backoff);
 * - `exhausted`: that was the last attempt; the delivery is `failed` (a replay starts a new round) and the
 *   message is done with.
 *
 * The attempt number is the delivery's own (`nextAttemptNumber`: the attempts it recorded this round), not the
 * queue's receive count.
 *
 * The target is resolved and checked again here (`fetchPublic` connects to the checked address only), since a
 * name that was public when subscribed may point inside the network now.
 */
import { Webhook } from 'standardwebhooks';
import type { DeliveryJob } from '../../contracts/webhook-delivery-job.js';
import { nextAttemptNumber } from '../../domain/delivery.js';
import { nowIso } from '../../domain/ids.js';
import { UnsafeUrlError, type FetchPublicOptions, type PublicResponse } from '../../net/public-url.js';
import type { AttemptOutcome, DeliveryRepository } from '../../ports/delivery-repository.js';
import type { WebhookHealthStore } from '../../ports/webhook-health-store.js';
import type { WebhookRepository } from '../../ports/webhook-repository.js';
import { retryDelaySeconds } from './retry-policy.js';
import type { WebhookSettings } from './webhook-settings.js';

export type DeliveryOutcome =
  | { readonly kind: 'done'; readonly reason: string }
  | {
      readonly kind: 'retry';
      readonly attempt: number;
      readonly delaySeconds: number;
      readonly error: string;
    }
  | { readonly kind: 'exhausted'; readonly error: string };

export interface DeliverWebhookDeps {
  readonly webhooks: Pick<WebhookRepository, 'get'>;
  readonly deliveries: Pick<DeliveryRepository, 'get' | 'recordAttempt' | 'markFailed'> & {
    /** Its result is not used, so a batched writer may resolve with nothing. */
    markSucceeded(webhookId: string, deliveryId: string, outcome: AttemptOutcome): Promise<unknown>;
  };
  readonly health: Pick<WebhookHealthStore, 'recordFailure' | 'recordSuccess' | 'disable'>;
  /** The subscription's plaintext signing secret (cached by the caller). */
  readonly signingSecret: (tenantId: string, webhookId: string) => Promise<string | null>;
  readonly post: (url: string, options: FetchPublicOptions) => Promise<PublicResponse>;
  readonly settings: WebhookSettings;
  readonly localMode: boolean;
  readonly log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  readonly now?: () => Date;
}

export const WEBHOOK_USER_AGENT = 'wa-platform-webhooks/1';

export async function deliverWebhook(deps: DeliverWebhookDeps, job: DeliveryJob): Promise<DeliveryOutcome> {
  const { tenantId, webhookId, deliveryId } = job;
  // Both reads side by side rather than in a row: the subscription is almost always needed (a job is rarely a
  // duplicate), and the worker shares it between the records of a batch, so the read ahead costs nothing there.
  const [delivery, subscription] = await Promise.all([
    deps.deliveries.get(tenantId, webhookId, deliveryId),
    deps.webhooks.get(tenantId, webhookId),
  ]);
  if (!delivery) return { kind: 'done', reason: 'delivery expired or unknown' };
  // A success is final; `failed` means a later replay is in charge (it sets `pending` before queueing).
  if (delivery.status !== 'pending') return { kind: 'done', reason: `delivery already ${delivery.status}` };
  const attempt = nextAttemptNumber(delivery);

  const at = () => nowIso(deps.now?.());
  if (!subscription || !subscription.enabled) {
    const error = subscription ? 'endpoint disabled' : 'webhook deleted';
    await deps.deliveries.markFailed(webhookId, deliveryId, { at: at(), error });
    return { kind: 'done', reason: error };
  }
  const secret = await deps.signingSecret(tenantId, webhookId);
  if (!secret) throw new Error(`webhook ${webhookId} has no signing secret`);

  const body = JSON.stringify(job.event);
  const sentAt = deps.now?.() ?? new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(deliveryId, sentAt, body),
  };

  let statusCode: number | undefined;
  let error: string | undefined;
  try {
    const response = await deps.post(subscription.url, {
      method: 'POST',
      headers,
      body,
      maxBytes: deps.settings.APP_WEBHOOK_MAX_RESPONSE_BYTES,
      timeoutMs: deps.settings.APP_WEBHOOK_TIMEOUT_MS,
      allowLoopback: deps.localMode,
      allowHttp: deps.localMode,
    });
    statusCode = response.status;
    if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
  } catch (caught) {
    error =
      caught instanceof UnsafeUrlError
        ? `target refused: ${caught.reason}`
        : caught instanceof Error
          ? caught.message
          : String(caught);
  }

  const outcomeBase = { at: at(), ...(statusCode === undefined ? {} : { statusCode }) };
  if (error === undefined) {
    await deps.deliveries.markSucceeded(webhookId, deliveryId, outcomeBase);
    // Only a streak needs ending: the common case costs no write. (A streak begun after the subscription was
    // read is ended by the next success.)
    if (subscription.failureStreak !== undefined) await deps.health.recordSuccess(tenantId, webhookId);
    return { kind: 'done', reason: 'delivered' };
  }

  await noteFailure(deps, tenantId, webhookId);
  if (attempt >= deps.settings.APP_WEBHOOK_MAX_ATTEMPTS) {
    await deps.deliveries.recordAttempt(webhookId, deliveryId, { ...outcomeBase, error });
    await deps.deliveries.markFailed(webhookId, deliveryId, { at: at(), error });
    return { kind: 'exhausted', error };
  }
  const delaySeconds = retryDelaySeconds(deps.settings, attempt);
  const nextAttemptAt = new Date((deps.now?.() ?? new Date()).getTime() + delaySeconds * 1000).toISOString();
  await deps.deliveries.recordAttempt(webhookId, deliveryId, { ...outcomeBase, error, nextAttemptAt });
  return { kind: 'retry', attempt, delaySeconds, error };
}

/** Counts the failure against the endpoint and disables it after a long enough streak. */
async function noteFailure(deps: DeliverWebhookDeps, tenantId: string, webhookId: string): Promise<void> {
  const at = nowIso(deps.now?.());
  const streak = await deps.health.recordFailure(tenantId, webhookId, at);
  if (!streak) return;
  const failingMs = Date.parse(at) - Date.parse(streak.since);
  if (
    streak.failures >= deps.settings.APP_WEBHOOK_DISABLE_AFTER_FAILURES &&
    failingMs >= deps.settings.APP_WEBHOOK_DISABLE_AFTER_SECONDS * 1000
  ) {
    const reason = `disabled after ${streak.failures} failed attempts in a row since ${streak.since}`;
    if (await deps.health.disable(tenantId, webhookId, at, reason)) {
      deps.log?.('warn', 'webhook endpoint disabled', { tenantId, webhookId, failures: streak.failures });
    }
  }
}
