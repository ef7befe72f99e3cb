/**
 * The delivery decision for one job, with in-memory stand-ins for storage and the HTTP call (the pipeline test
 * covers the real ones): what is sent, what counts as success, when to retry, when to give up, when to disable.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { DeliveryJob } from '../../../../../shared/contracts/webhook-delivery-job.js';
import type { Delivery } from '../../../../../shared/domain/delivery.js';
import { makeEvent } from '../../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import type { WebhookSubscription } from '../../../../../shared/domain/webhook.js';
import { UnsafeUrlError, type FetchPublicOptions } from '../../../../../shared/net/public-url.js';
import type { AttemptOutcome } from '../../../../../shared/ports/delivery-repository.js';
import {
  deliverWebhook,
  type DeliverWebhookDeps,
} from '../../../../../shared/services/webhooks/deliver-webhook.js';
import { retryDelaySeconds } from '../../../../../shared/services/webhooks/retry-policy.js';
import { WebhookSettingsSchema } from '../../../../../shared/services/webhooks/webhook-settings.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

function world(
  options: {
    status?: number;
    throws?: Error;
    enabled?: boolean;
    deliveryStatus?: Delivery['status'];
    attempts?: number;
    replayedAtAttempts?: number;
  } = {},
) {
  const tenantId = newId();
  const sessionId = newId();
  const event = makeEvent('session.status', { tenantId, sessionId, data: { status: 'connected' } });
  const webhook: WebhookSubscription = {
    id: newId(),
    tenantId,
    url: 'https://hooks.example.com/in',
    events: ['*'],
    enabled: options.enabled ?? true,
    secretPrefix: SECRET.slice(0, 12),
    createdAt: nowIso(),
  };
  let delivery: Delivery = {
    id: event.id,
    webhookId: webhook.id,
    tenantId,
    eventId: event.id,
    eventType: event.type,
    status: options.deliveryStatus ?? 'pending',
    attempts: options.attempts ?? 0,
    ...(options.replayedAtAttempts === undefined ? {} : { replayedAtAttempts: options.replayedAtAttempts }),
    createdAt: event.createdAt,
  };
  const calls: { url: string; options: FetchPublicOptions }[] = [];
  const log: string[] = [];
  let streak = { failures: 0, since: '' };
  let disabled = false;
  const deps: DeliverWebhookDeps = {
    webhooks: { get: async () => webhook },
    deliveries: {
      get: async () => delivery,
      recordAttempt: async (_w, _d, o: AttemptOutcome) => {
        log.push(`attempt ${o.statusCode ?? '-'} ${o.error ?? ''}`);
        delivery = { ...delivery, attempts: delivery.attempts + 1 };
        return delivery;
      },
      markSucceeded: async () => {
        log.push('succeeded');
        delivery = { ...delivery, status: 'succeeded', attempts: delivery.attempts + 1 };
        return delivery;
      },
      markFailed: async (_w, _d, o) => {
        log.push(`failed ${o.error ?? ''}`);
        delivery = { ...delivery, status: 'failed' };
        return delivery;
      },
    },
    health: {
      recordFailure: async (_t, _w, at) => {
        streak = { failures: streak.failures + 1, since: streak.since || at };
        return streak;
      },
      recordSuccess: async () => {
        streak = { failures: 0, since: '' };
      },
      disable: async () => {
        disabled = true;
        return true;
      },
    },
    signingSecret: async () => SECRET,
    post: async (url, o) => {
      calls.push({ url, options: o });
      if (options.throws) throw options.throws;
      return { status: options.status ?? 204, headers: {}, body: Buffer.alloc(0) };
    },
    settings: WebhookSettingsSchema.parse({
      APP_WEBHOOK_MAX_ATTEMPTS: '3',
      APP_WEBHOOK_DISABLE_AFTER_FAILURES: '2',
      APP_WEBHOOK_DISABLE_AFTER_SECONDS: '0',
    }),
    localMode: false,
  };
  const job: DeliveryJob = { webhookId: webhook.id, tenantId, deliveryId: event.id, event };
  return { deps, job, event, calls, log, isDisabled: () => disabled };
}

describe('deliverWebhook', () => {
  it('POSTs the envelope signed per Standard Webhooks to the vetted https target, and records success', async () => {
    const w = world();
    expect(await deliverWebhook(w.deps, w.job)).toEqual({ kind: 'done', reason: 'delivered' });
    const call = w.calls[0];
    expect(call?.url).toBe('https://hooks.example.com/in');
    expect(call?.options).toMatchObject({
      method: 'POST',
      allowLoopback: false,
      allowHttp: false,
      timeoutMs: 5000,
    });
    const headers = call?.options.headers ?? {};
    expect(headers['webhook-id']).toBe(w.event.id);
    expect(new Webhook(SECRET).verify(String(call?.options.body), headers)).toEqual(w.event);
    expect(w.log).toEqual(['succeeded']);
  });

  it.each([
    ['a 500', { status: 500 }, 'HTTP 500'],
    ['a redirect (not followed)', { status: 302 }, 'HTTP 302'],
    [
      'a timeout',
      { throws: new Error('request timed out after 5000 ms') },
      'request timed out after 5000 ms',
    ],
    [
      'a target now resolving inside',
      { throws: new UnsafeUrlError('must not point to a private address') },
      'target refused: must not point to a private address',
    ],
  ])('%s is a failed attempt retried with backoff', async (_what, options, error) => {
    const w = world(options);
    const outcome = await deliverWebhook(w.deps, w.job);
    expect(outcome).toMatchObject({ kind: 'retry', error });
    expect(w.log[0]).toContain(error);
  });

  it('numbers attempts by the delivery’s recorded attempts, so the backoff grows with them', async () => {
    const w = world({ status: 503 });
    const outcomes = [await deliverWebhook(w.deps, w.job), await deliverWebhook(w.deps, w.job)];
    expect(outcomes.map((o) => (o.kind === 'retry' ? o.attempt : o.kind))).toEqual([1, 2]);
  });

  it('the last attempt of the round marks the delivery failed (the worker then acknowledges the job)', async () => {
    const w = world({ status: 503, attempts: 2 });
    expect(await deliverWebhook(w.deps, w.job)).toEqual({ kind: 'exhausted', error: 'HTTP 503' });
    expect(w.log).toEqual(['attempt 503 HTTP 503', 'failed HTTP 503']);
  });

  it('a replayed delivery gets a whole new round: its attempts count from the replay', async () => {
    const w = world({ status: 503, attempts: 3, replayedAtAttempts: 3 });
    expect(await deliverWebhook(w.deps, w.job)).toMatchObject({ kind: 'retry', attempt: 1 });
    const last = world({ status: 503, attempts: 5, replayedAtAttempts: 3 });
    expect(await deliverWebhook(last.deps, last.job)).toEqual({ kind: 'exhausted', error: 'HTTP 503' });
  });

  it('skips a job whose delivery already succeeded (a duplicate) or failed (a replay owns it)', async () => {
    for (const status of ['succeeded', 'failed'] as const) {
      const w = world({ deliveryStatus: status });
      expect((await deliverWebhook(w.deps, w.job)).kind).toBe('done');
      expect(w.calls).toEqual([]);
    }
  });

  it('does not send to a disabled endpoint; the delivery fails so it can be replayed later', async () => {
    const w = world({ enabled: false });
    expect(await deliverWebhook(w.deps, w.job)).toEqual({ kind: 'done', reason: 'endpoint disabled' });
    expect(w.calls).toEqual([]);
    expect(w.log).toEqual(['failed endpoint disabled']);
  });

  it('disables the endpoint once the failure streak reaches the threshold', async () => {
    const w = world({ status: 500 });
    await deliverWebhook(w.deps, w.job);
    expect(w.isDisabled()).toBe(false);
    await deliverWebhook(w.deps, w.job);
    expect(w.isDisabled()).toBe(true);
  });
});

describe('retryDelaySeconds', () => {
  const settings = { APP_WEBHOOK_RETRY_BASE_SECONDS: 10, APP_WEBHOOK_RETRY_FACTOR: 5 };
  it('grows exponentially from the base, within +-20% jitter, capped at 12 hours', () => {
    expect(retryDelaySeconds(settings, 1, () => 0.5)).toBe(10);
    expect(retryDelaySeconds(settings, 2, () => 0.5)).toBe(50);
    expect(retryDelaySeconds(settings, 4, () => 0.5)).toBe(1250);
    expect(retryDelaySeconds(settings, 3, () => 0)).toBe(200);
    expect(retryDelaySeconds(settings, 3, () => 1)).toBe(300);
    expect(retryDelaySeconds(settings, 20, () => 0.5)).toBe(43_200);
  });
});
