/**
 * The pool failover worker on the local cloud: pools and sends through the real API routes, DynamoDB Local,
 * domain events put on the local EventBridge and routed by the `pool-failover-*` rules to the worker's queue on
 * fauxqs, where the real worker consumes them and its own delayed re-checks. No session host runs: the test
 * writes what a host would (statuses, a failed message, a restriction) and publishes the host's events. A
 * redelivery is the same record handed to the worker's handler again.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as poolFailoverHandler } from '../../../../functions/workers/pool-failover.js';
import { awsClients, resetRuntime } from '../../../../functions/runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../local/local-aws.js';
import { EventBridgeEventBus } from '../../../../shared/adapters/aws/eventbridge-event-bus.js';
import { EVENT_RULES, EVENT_SOURCE } from '../../../../shared/definitions/event-rules.js';
import { QUEUES } from '../../../../shared/definitions/queues.js';
import { makeEvent, type DomainEvent } from '../../../../shared/domain/events.js';
import { nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import type { ApiClient } from '../../../support/api-client.js';
import { eventually } from '../../../support/api-client.js';
import { DynamoCallLog } from '../../../support/dynamo-call-log.js';
import { startEventsStack, type EventsStack } from '../../../support/events-stack.js';

interface Sent {
  id: string;
  sessionId: string;
}
interface MemberStats {
  sessionId: string;
  health: string;
  stats: {
    failed: number;
    restrictedPeriods: number;
    restrictions: { since: string; until?: string; type: string }[];
  };
}
interface PoolBody {
  id: string;
  members: MemberStats[];
  totals: { failed: number; restrictedPeriods: number };
}

const GRACE_SECONDS = 2;

describe('pool failover worker', () => {
  let stack: EventsStack;
  let eventBridge: EventBridgeClient;
  let bus: EventBridgeEventBus;

  beforeAll(async () => {
    resetRuntime();
    stack = await startEventsStack({
      queues: [QUEUES.poolFailover],
      rules: EVENT_RULES.filter((rule) => rule.targetQueue === 'poolFailover'),
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
    await stack?.stop();
    resetRuntime();
  });

  /** Hands `event` to the worker again, as SQS would redeliver the rule's record. */
  async function redeliver(event: DomainEvent): Promise<void> {
    await deliverBatch([JSON.stringify({ source: EVENT_SOURCE, 'detail-type': event.type, detail: event })]);
  }

  /** Hands the worker one batch of these record bodies, as the event source mapping would. */
  async function deliverBatch(bodies: readonly string[]): Promise<void> {
    const records = bodies.map((body, i) => ({
      messageId: `batch-${i}-${Math.random()}`,
      receiptHandle: 'r',
      body,
      attributes: { ApproximateReceiveCount: '2' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:poolFailover',
      awsRegion: LOCAL_REGION,
    })) as unknown as SQSEvent['Records'];
    const answer = await poolFailoverHandler({ Records: records }, {
      getRemainingTimeInMillis: () => 30_000,
    } as unknown as Context);
    expect(answer.batchItemFailures).toEqual([]);
  }

  async function connectedSession(tenantId: string): Promise<string> {
    const id = await stack.session(tenantId);
    await stack.repos.sessions.updateStatus(id, 'connected');
    return id;
  }

  /** A pool whose contacts all start on `first` (it is alone when they are sent), then `second` joins. */
  async function poolOnFirst(
    api: ApiClient,
    first: string,
    second: string,
    contacts: readonly string[],
  ): Promise<{ poolId: string; sent: Sent[] }> {
    const created = await api.post<{ id: string }>('/v1/pools', {
      name: 'failover',
      members: [{ sessionId: first }],
      policy: { disconnectedGraceSeconds: GRACE_SECONDS },
    });
    expect(created.status).toBe(201);
    const poolId = created.body.id;
    const sent: Sent[] = [];
    for (const to of contacts) {
      const r = await api.post<Sent>(`/v1/pools/${poolId}/messages`, {
        to,
        type: 'text',
        text: { body: to },
      });
      expect(r.status).toBe(202);
      expect(r.body.sessionId).toBe(first);
      sent.push(r.body);
    }
    const patched = await api.patch(`/v1/pools/${poolId}`, {
      members: [{ sessionId: first }, { sessionId: second }],
    });
    expect(patched.status).toBe(200);
    return { poolId, sent };
  }

  const queuedOn = async (sessionId: string, poolId: string): Promise<Message[]> =>
    (await stack.repos.messages.listQueued(sessionId, 100)).filter((m) => m.poolId === poolId);

  it('moves what is queued on a member down past the grace, with no send coming, each message once', async () => {
    const { tenantId, api } = await stack.tenant();
    const [a, b] = [await connectedSession(tenantId), await connectedSession(tenantId)];
    const contacts = ['+15557100001', '+15557100002', '+15557100003'];
    const { poolId, sent } = await poolOnFirst(api, a, b, contacts);

    // A drops and keeps failing to reconnect: every attempt writes `reconnecting` again (a fresh updatedAt).
    await stack.repos.sessions.updateStatus(a, 'reconnecting');
    const dropped = makeEvent('session.status', {
      tenantId,
      sessionId: a,
      data: { status: 'reconnecting', previousStatus: 'connected' },
    });
    await bus.publish([dropped]);
    let attempts = true;
    const loop = (async () => {
      while (attempts) {
        await stack.repos.sessions.updateStatus(a, 'reconnecting');
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })();
    try {
      const moved = await eventually(
        'the queued messages on the other member',
        async () => {
          const onB = await queuedOn(b, poolId);
          return onB.length === contacts.length ? onB : undefined;
        },
        30_000,
      );
      expect(moved.map((m) => m.to).sort()).toEqual([...contacts].sort());
      for (const original of sent) {
        const stored = await stack.repos.messages.get(a, original.id);
        expect(stored).toMatchObject({ status: 'failed', error: { code: 'rerouted' } });
        expect(stored?.reroutedTo?.sessionId).toBe(b);
        expect(moved.map((m) => m.id)).toContain(stored?.reroutedTo?.messageId);
      }
      const history = await api.get<{ sessionId: string; history: { sessionId: string; reason: string }[] }>(
        `/v1/pools/${poolId}/contacts/${encodeURIComponent(contacts[0]!)}`,
      );
      expect(history.body).toMatchObject({
        sessionId: b,
        history: [{ sessionId: a, reason: 'disconnected' }],
      });
    } finally {
      attempts = false;
      await loop;
    }

    // Redelivered: the status event and a late re-check change nothing.
    await redeliver(dropped);
    expect(await queuedOn(b, poolId)).toHaveLength(contacts.length);
    expect(await queuedOn(a, poolId)).toHaveLength(0);
  }, 60_000);

  it('looks at a member once per batch, however many of its statuses and re-checks the batch holds', async () => {
    const { tenantId, api } = await stack.tenant();
    const [c, d] = [await connectedSession(tenantId), await connectedSession(tenantId)];
    const { poolId } = await poolOnFirst(api, c, d, ['+15557200001']);
    await stack.repos.sessions.updateStatus(c, 'reconnecting');
    const status = (s: 'reconnecting' | 'logged_out') =>
      JSON.stringify({
        source: EVENT_SOURCE,
        'detail-type': 'session.status',
        detail: makeEvent('session.status', { tenantId, sessionId: c, data: { status: s } }),
      });
    const recheck = JSON.stringify({ kind: 'pool.recheck', tenantId, sessionId: c });
    const log = new DynamoCallLog(stack.cloud.stack.prefix);
    log.attach(awsClients().dynamo);
    const since = Date.now();

    await deliverBatch([status('reconnecting'), status('reconnecting'), recheck, status('reconnecting')]);

    // One look: one Query of the tenant's pools (the member's pools) and one read of the member.
    // (This tenant's only: the stack's own consumers may be re-checking other tests' members meanwhile.)
    const poolQueries = log
      .touching(['pools'], since)
      .filter(
        (call) =>
          call.operation === 'Query' &&
          (call.input['ExpressionAttributeValues'] as Record<string, unknown>)[':t'] === tenantId,
      );
    expect(poolQueries).toHaveLength(1);
    // Still down within its grace: nothing moved yet.
    expect(await queuedOn(c, poolId)).toHaveLength(1);
  }, 60_000);

  it('deleting a member sends its queued pool messages through the other members before they are erased', async () => {
    const { tenantId, api } = await stack.tenant();
    const [e, f] = [await connectedSession(tenantId), await connectedSession(tenantId)];
    const contacts = ['+15557300001', '+15557300002'];
    const { poolId, sent } = await poolOnFirst(api, e, f, contacts);

    const deleted = await api.delete(`/v1/sessions/${e}`);
    expect(deleted.status).toBe(204);

    const moved = await queuedOn(f, poolId);
    expect(moved.map((m) => m.to).sort()).toEqual([...contacts].sort());
    expect(moved.map((m) => m.content)).toEqual(
      expect.arrayContaining(contacts.map((to) => ({ type: 'text', text: { body: to } }))),
    );
    // The originals went with the session; the contacts now belong to the other member, the deleted one noted.
    for (const original of sent) expect(await stack.repos.messages.get(e, original.id)).toBeNull();
    const assigned = await api.get<{ sessionId: string; history: { sessionId: string; reason: string }[] }>(
      `/v1/pools/${poolId}/contacts/${encodeURIComponent(contacts[0]!)}`,
    );
    expect(assigned.body).toMatchObject({ sessionId: f, history: [{ sessionId: e, reason: 'stopped' }] });
  });

  it('re-sends a timelocked failure through another member, counts it once, and records the restricted period', async () => {
    const { tenantId, api } = await stack.tenant();
    const [c, d] = [await connectedSession(tenantId), await connectedSession(tenantId)];
    const contact = '+15557200001';
    const { poolId, sent } = await poolOnFirst(api, c, d, [contact]);
    const original = sent[0]!;

    // What the host does on a 463: the message fails, the lock is stored on the session and announced.
    const at = nowIso();
    const error = { code: 'reachout_timelocked', message: 'WhatsApp refused the message (error 463)' };
    await stack.repos.messages.advanceStatus(c, original.id, 'failed', { at, error });
    await stack.repos.sessions.updateDetails(c, {
      restriction: { active: true, type: 'RESTRICT_ALL_COMPANIONS' },
    });
    const failed = makeEvent('message.status', {
      tenantId,
      sessionId: c,
      data: { messageId: original.id, status: 'failed', error, poolId },
    });
    const restricted = makeEvent('session.restricted', {
      tenantId,
      sessionId: c,
      data: { active: true, type: 'RESTRICT_ALL_COMPANIONS' },
    });
    await bus.publish([failed, restricted]);

    const resent = await eventually('the re-sent message on the other member', async () => {
      const onD = await queuedOn(d, poolId);
      return onD.length === 1 ? onD[0] : undefined;
    });
    expect(resent).toMatchObject({ to: contact, content: { type: 'text', text: { body: contact } } });
    const stored = await stack.repos.messages.get(c, original.id);
    // It stays failed with its own error; it only says where it went.
    expect(stored).toMatchObject({ status: 'failed', error: { code: 'reachout_timelocked' } });
    expect(stored?.reroutedTo).toEqual({ sessionId: d, messageId: resent.id });

    const stats = await eventually('the failure and the period counted', async () => {
      const body = (await api.get<PoolBody>(`/v1/pools/${poolId}`)).body;
      const member = body.members.find((m) => m.sessionId === c);
      return member?.stats.failed === 1 && member.stats.restrictedPeriods === 1 ? body : undefined;
    });
    const onC = stats.members.find((m) => m.sessionId === c)!;
    expect(onC.health).toBe('dead');
    expect(onC.stats.restrictions).toEqual([
      { since: restricted.createdAt, type: 'RESTRICT_ALL_COMPANIONS' },
    ]);
    expect(stats.totals).toMatchObject({ failed: 1, restrictedPeriods: 1 });

    // Both events again: nothing is sent or counted twice.
    await redeliver(failed);
    await redeliver(restricted);
    expect(await queuedOn(d, poolId)).toHaveLength(1);
    const again = (await api.get<PoolBody>(`/v1/pools/${poolId}`)).body;
    expect(again.totals).toMatchObject({ failed: 1, restrictedPeriods: 1 });

    // The lock lifts: the period closes (once, however often the event comes).
    await stack.repos.sessions.updateDetails(c, { restriction: null });
    const lifted = makeEvent('session.restricted', {
      tenantId,
      sessionId: c,
      data: { active: false, type: 'RESTRICT_ALL_COMPANIONS' },
    });
    await bus.publish([lifted]);
    const closed = await eventually('the period closed', async () => {
      const body = (await api.get<PoolBody>(`/v1/pools/${poolId}`)).body;
      const period = body.members.find((m) => m.sessionId === c)?.stats.restrictions[0];
      return period?.until !== undefined ? period : undefined;
    });
    expect(closed).toEqual({
      since: restricted.createdAt,
      until: lifted.createdAt,
      type: 'RESTRICT_ALL_COMPANIONS',
    });
    await redeliver(lifted);
    const final = (await api.get<PoolBody>(`/v1/pools/${poolId}`)).body;
    expect(final.members.find((m) => m.sessionId === c)?.stats.restrictions).toEqual([closed]);
    expect(final.totals.restrictedPeriods).toBe(1);
  }, 60_000);

  it('re-sends a timelocked failure whose own event came too early, from the scan when the restriction starts', async () => {
    const { tenantId, api } = await stack.tenant();
    const [e, f] = [await connectedSession(tenantId), await connectedSession(tenantId)];
    const { poolId, sent } = await poolOnFirst(api, e, f, ['+15557300001', '+15557300002']);
    const [early, other] = [sent[0]!, sent[1]!];
    const error = { code: 'reachout_timelocked', message: 'WhatsApp refused the message (error 463)' };
    // Its `message.status` was handled while the member still looked healthy (nothing moved); then the lock.
    await stack.repos.messages.advanceStatus(e, early.id, 'failed', { at: nowIso(), error });
    await stack.repos.messages.advanceStatus(e, other.id, 'failed', {
      at: nowIso(),
      error: { code: 'not_on_whatsapp', message: 'not on WhatsApp' },
    });
    await stack.repos.sessions.updateDetails(e, { restriction: { active: true, type: 'BIZ_QUALITY' } });
    await bus.publish([
      makeEvent('session.restricted', {
        tenantId,
        sessionId: e,
        data: { active: true, type: 'BIZ_QUALITY' },
      }),
    ]);
    const resent = await eventually('the re-sent message on the other member', async () => {
      const onF = await queuedOn(f, poolId);
      return onF.length > 0 ? onF : undefined;
    });
    // Only the timelocked one: another failure is the tenant's to handle.
    expect(resent.map((m) => m.to)).toEqual(['+15557300001']);
    expect((await stack.repos.messages.get(e, early.id))?.reroutedTo?.sessionId).toBe(f);
    expect((await stack.repos.messages.get(e, other.id))?.reroutedTo).toBeUndefined();
  }, 60_000);
});
