/** The ticket store and the webhook failure-streak store against DynamoDB Local. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoRepositories } from '../../../../../shared/adapters/dynamodb/index.js';
import { DynamoWebhookHealthStore } from '../../../../../shared/adapters/dynamodb/webhook-health-store.js';
import { DynamoWsTicketStore } from '../../../../../shared/adapters/dynamodb/ws-ticket-store.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import { WS_TICKET_PATTERN } from '../../../../../shared/ports/ws-ticket-store.js';
import { startAwsEmulators, type AwsEmulators } from '../../../../support/aws-emulators.js';

describe('DynamoDB ticket store and webhook health', () => {
  let emulators: AwsEmulators;
  let tickets: DynamoWsTicketStore;
  let health: DynamoWebhookHealthStore;

  beforeAll(async () => {
    emulators = await startAwsEmulators();
    const ctx = { dynamo: emulators.clients.dynamo, config: emulators.config };
    tickets = new DynamoWsTicketStore(ctx);
    health = new DynamoWebhookHealthStore(ctx);
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it('a ticket redeems once, for its grant; concurrent redeems have one winner', async () => {
    const grant = { tenantId: newId(), sessionId: newId() };
    const issued = await tickets.issue(grant);
    expect(issued.ticket).toMatch(WS_TICKET_PATTERN);
    expect(issued.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(50);
    expect(await tickets.redeem(issued.ticket)).toEqual(grant);
    expect(await tickets.redeem(issued.ticket)).toBeNull();

    const raced = await tickets.issue(grant);
    const results = await Promise.all(Array.from({ length: 8 }, () => tickets.redeem(raced.ticket)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('expired, unknown and malformed tickets do not redeem', async () => {
    const grant = { tenantId: newId(), sessionId: newId() };
    const expired = await tickets.issue(grant, { ttlSeconds: -1 });
    expect(await tickets.redeem(expired.ticket)).toBeNull();
    expect(await tickets.redeem(`wst_${'x'.repeat(43)}`)).toBeNull();
    expect(await tickets.redeem('')).toBeNull();
    expect(await tickets.redeem(`${expired.ticket}x`)).toBeNull();
  });

  it('counts every concurrent failure, resets on success, disables once, and resets on re-enable', async () => {
    const repos = createDynamoRepositories(emulators.clients.dynamo, emulators.config);
    const tenantId = newId();
    const webhook = await repos.webhooks.create(
      {
        id: newId(),
        tenantId,
        url: 'https://hooks.example.com/',
        events: ['*'],
        enabled: true,
        secretPrefix: 'whsec_abcdef',
        createdAt: nowIso(),
      },
      'env1:sealed',
    );
    const first = nowIso();
    await Promise.all(Array.from({ length: 10 }, () => health.recordFailure(tenantId, webhook.id, first)));
    const streak = await health.recordFailure(tenantId, webhook.id, nowIso());
    expect(streak).toEqual({ failures: 11, since: first });

    await health.recordSuccess(tenantId, webhook.id);
    expect((await health.recordFailure(tenantId, webhook.id, nowIso()))?.failures).toBe(1);

    expect(await health.disable(tenantId, webhook.id, nowIso(), 'too many failures')).toBe(true);
    expect(await health.disable(tenantId, webhook.id, nowIso(), 'again')).toBe(false);
    expect((await repos.webhooks.get(tenantId, webhook.id))?.enabled).toBe(false);

    await health.reset(tenantId, webhook.id);
    expect((await health.recordFailure(tenantId, webhook.id, nowIso()))?.failures).toBe(1);
    // The subscription's own fields are untouched by the health attributes.
    expect(await repos.webhooks.getSigningSecret(tenantId, webhook.id)).toBe('env1:sealed');
    expect(await health.recordFailure(newId(), webhook.id, nowIso())).toBeNull();
  });
});
