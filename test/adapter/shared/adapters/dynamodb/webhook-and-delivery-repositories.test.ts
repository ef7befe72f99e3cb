import { describe, expect, it } from 'vitest';
import { DynamoDeliveryRepository } from '../../../../../shared/adapters/dynamodb/delivery-repository.js';
import { DynamoWebhookRepository } from '../../../../../shared/adapters/dynamodb/webhook-repository.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../../../shared/domain/errors.js';
import { makeEvent } from '../../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import { generateWebhookSecret, type WebhookSubscription } from '../../../../../shared/domain/webhook.js';
import { deliveryIdFor, type NewDelivery } from '../../../../../shared/ports/delivery-repository.js';
import { useDynamo } from './support.js';

const db = useDynamo();
const webhooks = () => new DynamoWebhookRepository(db.ctx);
let clock = Date.now();
const deliveries = () => new DynamoDeliveryRepository(db.ctx, { now: () => clock });
const DAY = 24 * 3600_000;

function subscription(overrides: Partial<WebhookSubscription> = {}): {
  sub: WebhookSubscription;
  secret: string;
} {
  const { secret, secretPrefix } = generateWebhookSecret();
  const sub: WebhookSubscription = {
    id: newId(),
    tenantId: newId(),
    url: 'https://example.com/hook',
    events: ['*'],
    enabled: true,
    secretPrefix,
    createdAt: nowIso(),
    ...overrides,
  };
  return { sub, secret };
}

describe('DynamoWebhookRepository', () => {
  it('keeps the secret out of the subscription and another tenant out of it all', async () => {
    const { sub, secret } = subscription();
    expect(await webhooks().create(sub, secret)).toEqual(sub);
    await expect(webhooks().create(sub, secret)).resolves.toEqual(sub);
    await expect(
      webhooks().create({ ...sub, url: 'https://other.example/x' }, secret),
    ).rejects.toBeInstanceOf(ConflictError);
    const got = await webhooks().get(sub.tenantId, sub.id);
    expect(JSON.stringify(got)).not.toContain(secret);
    expect(await webhooks().getSigningSecret(sub.tenantId, sub.id)).toBe(secret);

    const stranger = newId();
    expect(await webhooks().get(stranger, sub.id)).toBeNull();
    expect(await webhooks().getSigningSecret(stranger, sub.id)).toBeNull();
    expect((await webhooks().list(stranger)).items).toEqual([]);
    await expect(
      webhooks().update(stranger, sub.id, { enabled: false, updatedAt: nowIso() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(webhooks().delete(stranger, sub.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await webhooks().get(sub.tenantId, sub.id)).not.toBeNull();
  });

  it('updates (null removes a field), lists with a cursor and deletes', async () => {
    const tenantId = newId();
    const subs = [0, 1, 2].map(() => subscription({ tenantId }));
    for (const { sub, secret } of subs) await webhooks().create(sub, secret);
    const target = subs[0]!.sub;
    const narrowed = await webhooks().update(tenantId, target.id, {
      sessionIds: [newId()],
      description: 'orders',
      updatedAt: nowIso(),
    });
    expect(narrowed.sessionIds).toHaveLength(1);
    const widened = await webhooks().update(tenantId, target.id, {
      sessionIds: null,
      description: null,
      events: ['message.received'],
      updatedAt: nowIso(),
    });
    expect(widened.sessionIds).toBeUndefined();
    expect(widened.description).toBeUndefined();
    expect(widened.events).toEqual(['message.received']);

    const first = await webhooks().list(tenantId, { limit: 2 });
    const second = await webhooks().list(tenantId, { limit: 2, cursor: first.cursor });
    expect([...first.items, ...second.items].map((s) => s.id)).toEqual(subs.map((s) => s.sub.id));
    await expect(webhooks().list(tenantId, { cursor: 'e30' })).rejects.toBeInstanceOf(ValidationError);

    await webhooks().delete(tenantId, target.id);
    expect(await webhooks().get(tenantId, target.id)).toBeNull();
    await expect(webhooks().delete(tenantId, target.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('finds the enabled subscriptions that want an event for a session', async () => {
    const tenantId = newId();
    const [s1, s2] = [newId(), newId()];
    const all = subscription({ tenantId, events: ['*'] });
    const received = subscription({ tenantId, events: ['message.received'] });
    const statusOnS1 = subscription({ tenantId, events: ['message.status'], sessionIds: [s1] });
    const disabled = subscription({ tenantId, events: ['*'], enabled: false });
    const otherTenant = subscription({ events: ['*'] });
    for (const { sub, secret } of [all, received, statusOnS1, disabled, otherTenant]) {
      await webhooks().create(sub, secret);
    }
    const ids = async (type: 'message.status' | 'message.received', sessionId: string) =>
      (await webhooks().listForEvent(tenantId, type, sessionId)).map((s) => s.id).sort();
    expect(await ids('message.status', s1)).toEqual([all.sub.id, statusOnS1.sub.id].sort());
    expect(await ids('message.status', s2)).toEqual([all.sub.id]);
    expect(await ids('message.received', s2)).toEqual([all.sub.id, received.sub.id].sort());
  });
});

describe('DynamoDeliveryRepository', () => {
  const newDelivery = (webhookId: string, tenantId: string, eventAt = Date.now()): NewDelivery => ({
    webhookId,
    tenantId,
    eventId: newId(eventAt),
    eventType: 'message.received',
    createdAt: new Date(eventAt).toISOString(),
  });

  it('creates one delivery per (webhook, event), however often the fan-out runs', async () => {
    const input = newDelivery(newId(), newId());
    const first = await deliveries().create(input);
    expect(first.created).toBe(true);
    expect(first.delivery).toMatchObject({ status: 'pending', attempts: 0, eventId: input.eventId });
    expect(first.delivery.id).toBe(deliveryIdFor(input.eventId));
    const again = await deliveries().create(input);
    expect(again).toEqual({ delivery: first.delivery, created: false });
    // The same event to another webhook is a distinct delivery.
    const other = await deliveries().create({ ...input, webhookId: newId() });
    expect(other.created).toBe(true);
    expect(other.delivery.webhookId).not.toBe(first.delivery.webhookId);
    const page = await deliveries().listByWebhook(input.tenantId, input.webhookId);
    expect(page.items).toHaveLength(1);
    const raw = await db.rawItem('deliveries', { webhookId: input.webhookId, deliveryId: first.delivery.id });
    expect(raw?.expiresAt).toBe(Math.floor(Date.parse(input.createdAt) / 1000) + 30 * 24 * 3600);
  });

  it('batches: createMany writes new deliveries with their payload in one go and returns existing ones as they are', async () => {
    const tenantId = newId();
    const webhookId = newId();
    const [a, b, c] = [0, 1, 2].map(() => newDelivery(webhookId, tenantId));
    const withPayload = (input: NewDelivery) => ({
      ...input,
      payload: makeEvent('session.status', {
        tenantId,
        sessionId: newId(),
        data: { status: 'qr', reason: input.eventId },
      }),
    });
    const first = await deliveries().createMany([a!, b!].map(withPayload));
    expect(first.map((r) => r.created)).toEqual([true, true]);
    const raw = await db.rawItem('deliveries', { webhookId, deliveryId: deliveryIdFor(a!.eventId) });
    expect(JSON.parse(String(raw?.payload))).toMatchObject({ data: { reason: a!.eventId } });
    await deliveries().recordAttempt(webhookId, deliveryIdFor(a!.eventId), {
      at: nowIso(),
      error: 'HTTP 500',
    });

    // A rerun mixing existing and new deliveries (and a duplicate in the batch): nothing existing is reset.
    const rerun = await deliveries().createMany([a!, b!, c!, c!].map(withPayload));
    expect(rerun.map((r) => r.created)).toEqual([false, false, true, false]);
    expect(rerun[0]?.delivery).toMatchObject({ attempts: 1, status: 'pending' });
    expect(rerun[3]?.delivery.id).toBe(deliveryIdFor(c!.eventId));

    const keys = [a!, c!].map((d) => ({ tenantId, webhookId, deliveryId: deliveryIdFor(d.eventId) }));
    const stranger = { tenantId: newId(), webhookId, deliveryId: deliveryIdFor(b!.eventId) };
    const got = await deliveries().getMany([...keys, stranger]);
    expect(got.map((d) => d?.attempts ?? null)).toEqual([1, 0, null]);

    await deliveries().markSucceededMany(
      keys.map((k) => ({ ...k, outcome: { at: nowIso(), statusCode: 204 } })),
    );
    const after = await deliveries().getMany(keys);
    expect(after.map((d) => [d?.status, d?.attempts, d?.lastStatusCode])).toEqual([
      ['succeeded', 2, 204],
      ['succeeded', 1, 204],
    ]);
    // A delivery that is gone fails the batch the way `markSucceeded` fails alone.
    await expect(
      deliveries().markSucceededMany([
        { webhookId, deliveryId: newId(), outcome: { at: nowIso(), statusCode: 204 } },
      ]),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records attempts, success is final, failure after retries, replay resets', async () => {
    const input = newDelivery(newId(), newId());
    const { delivery } = await deliveries().create(input);
    const retry = await deliveries().recordAttempt(input.webhookId, delivery.id, {
      at: nowIso(),
      statusCode: 503,
      error: 'x'.repeat(900),
      nextAttemptAt: nowIso(),
    });
    expect(retry).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
    expect(retry.lastError?.length).toBeLessThanOrEqual(500);
    const noResponse = await deliveries().recordAttempt(input.webhookId, delivery.id, {
      at: nowIso(),
      error: 'timeout',
    });
    expect(noResponse.lastStatusCode).toBeUndefined();
    expect(noResponse.nextAttemptAt).toBeUndefined();
    const failed = await deliveries().markFailed(input.webhookId, delivery.id, {
      at: nowIso(),
      error: 'gave up',
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastError: 'gave up' });

    const replayed = await deliveries().markReplayed(input.tenantId, input.webhookId, delivery.id, nowIso());
    // A replay starts a new round of attempts from the two already made (`nextAttemptNumber`).
    expect(replayed).toMatchObject({ status: 'pending', attempts: 2, replayedAtAttempts: 2 });
    const ok = await deliveries().markSucceeded(input.webhookId, delivery.id, {
      at: nowIso(),
      statusCode: 200,
    });
    expect(ok).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
    expect(ok.lastError).toBeUndefined();
    // A duplicate job's late failure does not undo the success.
    const late = await deliveries().recordAttempt(input.webhookId, delivery.id, {
      at: nowIso(),
      statusCode: 500,
    });
    expect(late).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect((await deliveries().markFailed(input.webhookId, delivery.id, { at: nowIso() })).status).toBe(
      'succeeded',
    );

    await expect(
      deliveries().markReplayed(newId(), input.webhookId, delivery.id, nowIso()),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await deliveries().get(newId(), input.webhookId, delivery.id)).toBeNull();
    await expect(
      deliveries().markSucceeded(input.webhookId, newId(), { at: nowIso() }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists newest first across pages and hides expired deliveries', async () => {
    const [webhookId, tenantId] = [newId(), newId()];
    clock = Date.now();
    const old = await deliveries().create(newDelivery(webhookId, tenantId, clock - 31 * DAY));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await deliveries().create(newDelivery(webhookId, tenantId, clock - 5 + i))).delivery.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await deliveries().listByWebhook(tenantId, webhookId, { limit: 2, cursor });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(await deliveries().get(tenantId, webhookId, old.delivery.id)).toBeNull();
    expect(await db.rawItem('deliveries', { webhookId, deliveryId: old.delivery.id })).toBeDefined();
    expect((await deliveries().listByWebhook(newId(), webhookId)).items).toEqual([]);

    // Thirty days on, the rest has expired too.
    clock += 31 * DAY;
    expect((await deliveries().listByWebhook(tenantId, webhookId)).items).toEqual([]);
    expect(await deliveries().get(tenantId, webhookId, ids[0]!)).toBeNull();
    clock = Date.now();
  });
});
