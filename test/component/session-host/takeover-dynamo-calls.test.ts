/**
 * DynamoDB calls per takeover (issue #14, docs/benchmarks.md "Failover cost per session"): a counting middleware
 * on the host's own DynamoDB client records every call while the host takes over a linked session a dead host
 * left `connected`: the claim, the credentials, the status, the attach (drain, outbox resume, read receipts,
 * the timelock) and the events. It is what a failover pays per session, next to the login itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferJSON } from '@whiskeysockets/baileys';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { seedLinkedSession } from '../../../bench/support/seed-session.js';
import { physicalTableName } from '../../../shared/definitions/tables.js';
import { newId, nowIso } from '../../../shared/domain/ids.js';
import { provisionLinkedDevice } from '../../../simulator/provision.js';
import { DynamoCallLog, type DynamoCall } from '../../support/dynamo-call-log.js';
import { freshPhone, sessionNow, startHostWorld, until, type HostWorld } from './support.js';

describe('DynamoDB calls per takeover', () => {
  let world: HostWorld;
  let log: DynamoCallLog;
  let sessionId: string;
  let tenantId: string;

  beforeAll(async () => {
    world = await startHostWorld();
    const { prefix } = world.cloud.stack;
    log = new DynamoCallLog(prefix);
    tenantId = newId();
    const linked = await provisionLinkedDevice(world.sim, freshPhone().slice(1));
    sessionId = await seedLinkedSession(
      world.adapters,
      prefix,
      JSON.stringify(linked, BufferJSON.replacer),
      tenantId,
    );
    await leftByDeadHost(sessionId);
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  });

  /** What a SIGKILLed host leaves: the session wanted running, `connected`, owned by it, its lease run out. */
  async function leftByDeadHost(id: string): Promise<void> {
    await world.adapters.clients.dynamo.send(
      new UpdateCommand({
        TableName: physicalTableName(world.cloud.stack.prefix, 'sessions'),
        Key: { sessionId: id },
        UpdateExpression: 'SET #owner = :dead, leaseUntil = :past, #status = :connected, desired = :running',
        ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
        ExpressionAttributeValues: {
          ':dead': 'dead-host',
          ':past': Date.now() - 1,
          ':connected': 'connected',
          ':running': 'running',
        },
      }),
    );
  }

  it('a takeover of a connected session: counted per table and operation', async () => {
    await world.startHost(
      {},
      { decorateAdapters: (adapters) => (log.attach(adapters.clients.dynamo), adapters) },
    );
    await until(
      () => sessionNow(world.adapters, sessionId),
      (s) => s.status === 'connected' && s.owner !== 'dead-host',
      'the session connected on the new host',
    );
    // The attach's drain ends with the listing of its backlog and its outbox: wait for both.
    await until(
      async () => log.calls.filter((c) => c.operation === 'Query' && mentions(c, sessionId)).length,
      (n) => n >= 3,
      'the drain queried',
    );
    const mine = log.calls.filter((c) => mentions(c, sessionId));
    console.log(`DynamoDB calls of one takeover:\n${mine.map(describeCall).join('\n')}`);
    const statusWrites = mine.filter(
      (c) => c.operation === 'UpdateItem' && c.parts.includes('sessions') && statusOf(c) !== undefined,
    );
    // One status write (`connected`), not `starting` then `connected`.
    expect(statusWrites.map(statusOf)).toEqual(['connected']);
    // The status did not change (`connected` before and after): no `session.status` event, no browser push.
    expect(mine.filter((c) => c.parts.includes('eventOutbox') && c.operation !== 'Query')).toEqual([]);
    expect(mine.filter((c) => c.parts.includes('wsConnections'))).toEqual([]);
    const session = await sessionNow(world.adapters, sessionId);
    expect(session.status).toBe('connected');
    expect(session.downSince).toBeUndefined();
    // Besides the credentials (the creds read, Baileys' key batches during the login, their number varying with
    // its timing) and lease renewals (a round's batch, or the single renew): the claim, the outbox resume,
    // `connected` and the drain's four queries.
    const rest = mine.filter(
      (c) =>
        !c.parts.some((p) => p.endsWith('credentials')) &&
        c.operation !== 'BatchExecuteStatement' &&
        !String(c.input['UpdateExpression']).startsWith('SET leaseUntil'),
    );
    expect(rest.map((c) => c.operation).sort()).toEqual([
      'Query',
      'Query',
      'Query',
      'Query',
      'Query',
      'UpdateItem',
      'UpdateItem',
    ]);
  }, 120_000);

  it('a stale `connected` with no linked credentials still starts as usual: `starting`, then a QR', async () => {
    const now = nowIso();
    const { id } = await world.adapters.sessions.create({
      id: newId(),
      tenantId,
      desired: 'stopped',
      status: 'starting',
      createdAt: now,
      updatedAt: now,
    });
    await leftByDeadHost(id);
    await until(
      () => sessionNow(world.adapters, id),
      (s) => s.status === 'qr',
      'the unlinked session shows a QR',
    );
    const writes = log.calls
      .filter((c) => mentions(c, id))
      .map(statusOf)
      .filter(Boolean);
    expect(writes.slice(0, 2)).toEqual(['starting', 'qr']);
  }, 120_000);
});

function mentions(call: DynamoCall, sessionId: string): boolean {
  return JSON.stringify(call.input).includes(sessionId);
}

function statusOf(call: DynamoCall): string | undefined {
  const values = call.input['ExpressionAttributeValues'] as Record<string, unknown> | undefined;
  const status = values?.[':status'];
  return typeof status === 'string' ? status : undefined;
}

function describeCall(call: DynamoCall): string {
  const input = call.input as {
    UpdateExpression?: string;
    IndexName?: string;
    KeyConditionExpression?: string;
  };
  const detail = input.UpdateExpression ?? input.KeyConditionExpression ?? '';
  return `${call.operation} [${call.parts.join(', ')}] ${input.IndexName ?? ''} ${detail}`;
}
