/** Fan-out idempotency: what a rerun of the same event queues again, with in-memory stand-ins. */
import { describe, expect, it } from 'vitest';
import type { DeliveryJob } from '../../../../../shared/contracts/webhook-delivery-job.js';
import type { Delivery } from '../../../../../shared/domain/delivery.js';
import { makeEvent } from '../../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import type { WebhookSubscription } from '../../../../../shared/domain/webhook.js';
import { fanOutEvent, type FanOutDeps } from '../../../../../shared/services/webhooks/fan-out.js';

function setup(subscriptionCount: number) {
  const tenantId = newId();
  const event = makeEvent('message.status', {
    tenantId,
    sessionId: newId(),
    data: { messageId: newId(), status: 'read' },
  });
  const subscriptions: WebhookSubscription[] = Array.from({ length: subscriptionCount }, () => ({
    id: newId(),
    tenantId,
    url: 'https://hooks.example.com/',
    events: ['*'],
    enabled: true,
    secretPrefix: 'whsec_abcdef',
    createdAt: nowIso(),
  }));
  const deliveries = new Map<string, Delivery>();
  const payloads = new Set<string>();
  const queued: DeliveryJob[] = [];
  const deps: FanOutDeps = {
    webhooks: { listForEvent: async () => subscriptions },
    deliveries: {
      create: async (input) => {
        const key = `${input.webhookId}/${input.eventId}`;
        const existing = deliveries.get(key);
        if (existing) return { delivery: existing, created: false };
        const delivery: Delivery = { ...input, id: input.eventId, status: 'pending', attempts: 0 };
        deliveries.set(key, delivery);
        return { delivery, created: true };
      },
    },
    payloads: { put: async (webhookId, deliveryId) => void payloads.add(`${webhookId}/${deliveryId}`) },
    queue: { send: async (jobs) => void queued.push(...jobs) },
  };
  return { deps, event, subscriptions, deliveries, payloads, queued };
}

describe('fanOutEvent', () => {
  it('makes one delivery, one stored payload and one job per matching subscription', async () => {
    const s = setup(3);
    expect(await fanOutEvent(s.deps, s.event)).toEqual({ matched: 3, queued: 3 });
    expect(s.queued.map((j) => j.webhookId).sort()).toEqual(s.subscriptions.map((x) => x.id).sort());
    expect(s.queued.every((j) => j.deliveryId === s.event.id && j.event === s.event)).toBe(true);
    expect(s.payloads.size).toBe(3);
  });

  it('a rerun re-queues only deliveries nobody has attempted yet', async () => {
    const s = setup(3);
    await fanOutEvent(s.deps, s.event);
    const [first, second] = s.subscriptions;
    const mark = (sub: WebhookSubscription | undefined, patch: Partial<Delivery>) => {
      const key = `${sub?.id}/${s.event.id}`;
      const current = s.deliveries.get(key);
      if (current) s.deliveries.set(key, { ...current, ...patch });
    };
    mark(first, { status: 'succeeded', attempts: 1 });
    mark(second, { attempts: 1 }); // in retry: its job is on the queue
    s.queued.length = 0;
    expect(await fanOutEvent(s.deps, s.event)).toEqual({ matched: 3, queued: 1 });
    expect(s.queued.map((j) => j.webhookId)).toEqual([s.subscriptions[2]?.id]);
    expect(s.deliveries.size).toBe(3);
  });

  it('queues nothing when no subscription matches', async () => {
    const s = setup(0);
    expect(await fanOutEvent(s.deps, s.event)).toEqual({ matched: 0, queued: 0 });
    expect(s.queued).toEqual([]);
  });
});
