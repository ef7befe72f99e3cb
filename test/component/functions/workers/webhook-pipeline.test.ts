/**
 * The webhook pipeline on the local cloud, end to end from the bus: EventBridge rule -> fan-out worker ->
 * delivery queue -> delivery worker -> a real HTTP receiver, with the signature checked by `standardwebhooks`.
 * Retries are shortened through the workers' environment (1 s backoff, 3 attempts = the queue's
 * maxReceiveCount), and the delivery consumer is the real worker wrapped by a fixture that can crash mid-batch.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../local/local-aws.js';
import { EventBridgeEventBus } from '../../../../shared/adapters/aws/eventbridge-event-bus.js';
import { QUEUES, type QueueDefinition } from '../../../../shared/definitions/queues.js';
import { makeEvent, type DomainEvent } from '../../../../shared/domain/events.js';
import type { ApiClient } from '../../../support/api-client.js';
import { eventually } from '../../../support/api-client.js';
import {
  startEventsStack,
  startReceiver,
  type EventsStack,
  type Receiver,
} from '../../../support/events-stack.js';
import { CRASH_MARKER, failBeforePostMarker } from '../../../support/fixtures/crashing-delivery-worker.js';

const MAX_ATTEMPTS = 3;
const ENDPOINT_CAP = 2;

const deliveryQueue: QueueDefinition = {
  ...QUEUES.webhookDelivery,
  visibilityTimeoutSeconds: 10,
  // Above the attempts, as in production: receives that reach no POST are not attempts.
  maxReceiveCount: MAX_ATTEMPTS + 4,
  consumer: {
    ...QUEUES.webhookDelivery.consumer!,
    entry: 'test/support/fixtures/crashing-delivery-worker',
  },
};

interface Created {
  id: string;
  secret: string;
}
interface DeliveryBody {
  id: string;
  status: string;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
}

describe('webhook pipeline', () => {
  let stack: EventsStack;
  let bus: EventBridgeEventBus;
  let eventBridge: EventBridgeClient;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    stack = await startEventsStack({
      queues: [QUEUES.webhookFanout, deliveryQueue],
      env: {
        APP_WEBHOOK_RETRY_BASE_SECONDS: '1',
        APP_WEBHOOK_RETRY_FACTOR: '1',
        APP_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        APP_WEBHOOK_DISABLE_AFTER_FAILURES: '7',
        APP_WEBHOOK_DISABLE_AFTER_SECONDS: '0',
        APP_WEBHOOK_TIMEOUT_MS: '10000',
        APP_WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT: String(ENDPOINT_CAP),
      },
    });
    eventBridge = new EventBridgeClient({
      endpoint: stack.cloud.stack.eventbridge,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    bus = new EventBridgeEventBus({ client: eventBridge, busName: stack.cloud.stack.eventBusName });
  });
  afterAll(async () => {
    eventBridge?.destroy();
    await Promise.all(receivers.map((r) => r.stop()));
    await stack?.stop();
  });

  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }

  async function subscribe(api: ApiClient, body: Record<string, unknown>): Promise<Created> {
    const response = await api.post<Created>('/v1/webhooks', body);
    expect(response.status).toBe(201);
    return response.body;
  }

  function statusEvent(tenantId: string, sessionId: string, reason = 'test'): DomainEvent {
    return makeEvent('session.status', { tenantId, sessionId, data: { status: 'qr', reason } });
  }

  const idsOf = (r: Receiver) => new Set(r.received.map((q) => q.headers['webhook-id']));
  const okIdsOf = (r: Receiver) =>
    new Set(r.received.filter((q) => q.status < 300).map((q) => q.headers['webhook-id']));

  async function delivery(api: ApiClient, webhookId: string, deliveryId: string): Promise<DeliveryBody> {
    const list = await api.get<{ items: DeliveryBody[] }>(`/v1/webhooks/${webhookId}/deliveries`);
    const found = list.body.items.find((d) => d.id === deliveryId);
    if (!found) throw new Error(`delivery ${deliveryId} not in the log`);
    return found;
  }

  /** The delivery once the log shows it `status`; `what` names the wait in a timeout. */
  function deliveryWhen(
    what: string,
    api: ApiClient,
    webhookId: string,
    deliveryId: string,
    status: 'succeeded' | 'failed',
  ): Promise<DeliveryBody> {
    return eventually(what, async () => {
      const d = await delivery(api, webhookId, deliveryId);
      return d.status === status ? d : undefined;
    });
  }

  it('delivers a bus event, signed per Standard Webhooks, to the matching subscriptions only', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const otherSession = await stack.session(tenantId);
    const [all, onlyStatus, onlyOtherSession, otherTenant] = await Promise.all([
      receiver(),
      receiver(),
      receiver(),
      receiver(),
    ]);
    const hook = await subscribe(api, { url: all.url, events: ['message.received'] });
    await subscribe(api, { url: onlyStatus.url, events: ['session.status'] });
    await subscribe(api, { url: onlyOtherSession.url, sessionIds: [otherSession] });
    await subscribe((await stack.tenant(['webhooks:manage'])).api, { url: otherTenant.url });

    const event = makeEvent('message.received', {
      tenantId,
      sessionId,
      data: {
        message: {
          id: '01M88Q4TX5VQZXFJ3EW30V6H29',
          waMessageId: '3EB0C767D71D2A3F4A1B',
          chatJid: '15551234567@s.whatsapp.net',
          from: { phone: '+15551234567' },
          type: 'text',
          content: { type: 'text', text: { body: 'Hi, is my order ready?' } },
          createdAt: new Date().toISOString(),
        },
      },
    });
    await bus.publish([event]);

    const request = await eventually('the webhook POST', async () => all.received[0]);
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(hook.secret).verify(request.body, request.headers);
    expect(verified).toEqual(event);
    expect(() =>
      new Webhook(hook.secret).verify(request.body.replace('ready', 'READY'), request.headers),
    ).toThrow();

    const logged = await deliveryWhen(
      'the delivery to be logged as succeeded',
      api,
      hook.id,
      event.id,
      'succeeded',
    );
    expect(logged).toMatchObject({ attempts: 1, lastStatusCode: 204 });

    // A later event for the other session proves the filters were applied, not just slow.
    await bus.publish([statusEvent(tenantId, otherSession)]);
    await eventually('the session-filtered receiver', async () => onlyOtherSession.received[0]);
    await eventually('the status receiver', async () => onlyStatus.received[0]);
    expect(onlyOtherSession.received).toHaveLength(1);
    expect(onlyStatus.received).toHaveLength(1);
    expect(all.received).toHaveLength(1);
    expect(otherTenant.received).toEqual([]);
  });

  it('a receiver that fails then recovers gets every event, each under one webhook-id', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const flaky = await receiver();
    flaky.respondWith(503);
    await subscribe(api, { url: flaky.url });
    const events = [1, 2, 3].map((n) => statusEvent(tenantId, sessionId, `flaky ${n}`));
    await bus.publish(events);

    await eventually('a first failed attempt of each event', async () =>
      idsOf(flaky).size === 3 ? true : undefined,
    );
    flaky.respondWith(200);
    await eventually('every event accepted', async () => (okIdsOf(flaky).size === 3 ? true : undefined));
    expect([...idsOf(flaky)].sort()).toEqual(events.map((e) => e.id).sort());
    // Only failed attempts were retried: no event was accepted twice.
    const accepted = flaky.received.filter((q) => q.status < 300).map((q) => q.headers['webhook-id']);
    expect(accepted).toHaveLength(3);
  });

  /** No job left on the delivery queue (visible or in flight), and none of `eventId` in its DLQ. */
  async function jobsSettled(eventId: string): Promise<void> {
    const queues = stack.cloud.stack.queues.webhookDelivery;
    await eventually('the delivery queue empty', async () => {
      const out = await stack.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queues?.url ?? '',
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const left =
        Number(out.Attributes?.ApproximateNumberOfMessages ?? 1) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 1);
      return left === 0 ? true : undefined;
    });
    const dead = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues?.dlqUrl ?? '',
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    expect((dead.Messages ?? []).filter((m) => m.Body?.includes(eventId))).toEqual([]);
  }

  it('a receiver that never recovers: the delivery ends failed, its job acknowledged; each replay is a new round', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const down = await receiver();
    down.respondWith(500);
    const hook = await subscribe(api, { url: down.url });
    const event = statusEvent(tenantId, sessionId, 'never recovers');
    await bus.publish([event]);

    const failed = await deliveryWhen('the delivery to fail', api, hook.id, event.id, 'failed');
    expect(failed).toMatchObject({ attempts: MAX_ATTEMPTS, lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(down.received).toHaveLength(MAX_ATTEMPTS);
    // The tenant's endpoint being down is not a platform fault: the job is done with, not dead-lettered.
    await jobsSettled(event.id);

    // A replay to an endpoint still down gets the whole retry budget again (attempts keep the history).
    expect((await api.post(`/v1/webhooks/${hook.id}/deliveries/${event.id}/retry`)).status).toBe(202);
    const failedAgain = await eventually('the replay to fail after its own attempts', async () => {
      const d = await delivery(api, hook.id, event.id);
      return d.status === 'failed' && d.attempts === 2 * MAX_ATTEMPTS ? d : undefined;
    });
    expect(failedAgain.attempts).toBe(2 * MAX_ATTEMPTS);
    expect(down.received).toHaveLength(2 * MAX_ATTEMPTS);

    down.respondWith(204);
    const retry = await api.post<DeliveryBody>(`/v1/webhooks/${hook.id}/deliveries/${event.id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body.status).toBe('pending');
    expect(retry.body).not.toHaveProperty('replayedAtAttempts');
    await deliveryWhen('the replay to succeed', api, hook.id, event.id, 'succeeded');
    const replayed = down.received.at(-1);
    expect(replayed?.headers['webhook-id']).toBe(event.id);
    expect(new Webhook(hook.secret).verify(replayed?.body ?? '', replayed?.headers ?? {})).toEqual(event);

    expect((await api.post(`/v1/webhooks/${hook.id}/deliveries/${'0'.repeat(26)}/retry`)).status).toBe(404);
    const stranger = (await stack.tenant(['webhooks:manage'])).api;
    expect((await stranger.post(`/v1/webhooks/${hook.id}/deliveries/${event.id}/retry`)).status).toBe(404);
  });

  it('receives that fail before the POST use up none of the attempts: the receiver still gets all of them', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const down = await receiver();
    down.respondWith(503);
    const hook = await subscribe(api, { url: down.url });
    // Two receives fail before any POST; counted by receives, the third would have been the last attempt.
    const event = statusEvent(tenantId, sessionId, failBeforePostMarker(2));
    await bus.publish([event]);

    const failed = await deliveryWhen('the delivery to fail', api, hook.id, event.id, 'failed');
    expect(failed).toMatchObject({ attempts: MAX_ATTEMPTS, lastStatusCode: 503 });
    expect(down.received).toHaveLength(MAX_ATTEMPTS);
    await jobsSettled(event.id);
  });

  it('a slow endpoint holds only its own slots (the cap): the fast one of the same batch is delivered and logged', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const fast = await receiver();
    // Holds every request until released, counting how many it holds at once.
    const held: (() => void)[] = [];
    let maxHeld = 0;
    let aborted = 0;
    let released = false;
    const slowServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = () => res.writeHead(204).end();
        if (released) return answer();
        held.push(answer);
        maxHeld = Math.max(maxHeld, held.length);
      });
      res.on('close', () => {
        if (!res.writableFinished) aborted++;
      });
    });
    await new Promise<void>((resolve) => slowServer.listen(0, '127.0.0.1', resolve));
    try {
      // One event, four subscriptions: three on one slow origin (one endpoint for the cap), one fast. Its four
      // jobs leave the fan-out in one SendMessageBatch and reach the delivery worker as one batch.
      const slowOrigin = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`;
      const slowHooks = [];
      for (const path of ['/a', '/b', '/c']) slowHooks.push(await subscribe(api, { url: slowOrigin + path }));
      const fastHook = await subscribe(api, { url: fast.url });
      const event = statusEvent(tenantId, sessionId, 'slow and fast');
      await bus.publish([event]);

      await deliveryWhen(
        'the fast endpoint delivered and logged while the slow one holds its requests',
        api,
        fastHook.id,
        event.id,
        'succeeded',
      );
      expect(okIdsOf(fast)).toEqual(new Set([event.id]));
      // The slow endpoint has exactly its cap in flight (the third waits for a slot), none answered or timed out.
      expect(held).toHaveLength(ENDPOINT_CAP);
      expect(maxHeld).toBe(ENDPOINT_CAP);
      expect(aborted).toBe(0);

      released = true;
      held.splice(0).forEach((answer) => answer());
      for (const hook of slowHooks) {
        await deliveryWhen('the slow endpoint delivered', api, hook.id, event.id, 'succeeded');
      }
      expect(maxHeld).toBe(ENDPOINT_CAP);
    } finally {
      slowServer.closeAllConnections();
      await new Promise<void>((resolve) => slowServer.close(() => resolve()));
    }
  });

  it('a worker crash mid-batch loses nothing', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const target = await receiver();
    await subscribe(api, { url: target.url });
    const events = Array.from({ length: 6 }, (_, n) =>
      statusEvent(tenantId, sessionId, n === 2 ? CRASH_MARKER : `batch ${n}`),
    );
    await bus.publish(events);
    await eventually('every event delivered despite the crash', async () =>
      okIdsOf(target).size === events.length ? true : undefined,
    );
    expect([...okIdsOf(target)].sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('a disabled endpoint stops receiving; a failing one is disabled automatically and re-enabled by PATCH', async () => {
    const { tenantId, api } = await stack.tenant(['webhooks:manage']);
    const sessionId = await stack.session(tenantId);
    const [paused, control] = await Promise.all([receiver(), receiver()]);
    const pausedHook = await subscribe(api, { url: paused.url });
    await subscribe(api, { url: control.url });
    expect((await api.call('PATCH', `/v1/webhooks/${pausedHook.id}`, { enabled: false })).status).toBe(200);
    const event = statusEvent(tenantId, sessionId, 'while disabled');
    await bus.publish([event]);
    await eventually('the control receiver', async () => control.received[0]);
    expect(paused.received).toEqual([]);

    const broken = await receiver();
    broken.respondWith(500);
    const brokenHook = await subscribe(api, { url: broken.url });
    // 3 events x 3 attempts = 9 failures in a row, over the threshold of 7.
    await bus.publish([1, 2, 3].map((n) => statusEvent(tenantId, sessionId, `broken ${n}`)));
    type HookBody = {
      enabled: boolean;
      failureStreak?: number;
      failingSince?: string;
      disabledAt?: string;
      disabledReason?: string;
    };
    const disabled = await eventually('the endpoint to be disabled', async () => {
      const hook = await api.get<HookBody>(`/v1/webhooks/${brokenHook.id}`);
      return hook.body.enabled === false ? hook.body : undefined;
    });
    // The tenant sees why: the streak, since when, and the reason.
    expect(disabled.failureStreak).toBeGreaterThanOrEqual(7);
    expect(disabled.failingSince).toBeDefined();
    expect(disabled.disabledAt).toBeDefined();
    expect(disabled.disabledReason).toMatch(/\S/);
    const reenabled = await api.call<HookBody>('PATCH', `/v1/webhooks/${brokenHook.id}`, {
      enabled: true,
    });
    expect(reenabled.body).toMatchObject({ enabled: true });
    expect(reenabled.body.failureStreak).toBeUndefined();
    expect(reenabled.body.disabledReason).toBeUndefined();
    broken.respondWith(204);
    const after = statusEvent(tenantId, sessionId, 'after re-enabling');
    await bus.publish([after]);
    await eventually('delivery after re-enabling', async () =>
      okIdsOf(broken).has(after.id) ? true : undefined,
    );
  });
});
