/**
 * Early release of a dead host's sessions against DynamoDB Local: a host whose heartbeat went stale loses its
 * sessions before their leases run out; a live host, this host itself, and a session another host already
 * claimed are left alone.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoSessionRepository } from '../../../shared/adapters/dynamodb/session-repository.js';
import { physicalTableName } from '../../../shared/definitions/tables.js';
import { newId } from '../../../shared/domain/ids.js';
import type { Session } from '../../../shared/domain/session.js';
import { DeadHostReleaser } from '../../../session-host/dead-host-release.js';
import { DynamoHostRegistry } from '../../../shared/adapters/dynamodb/host-registry.js';
import type { HostItem } from '../../../shared/domain/host.js';
import { createHostLogger } from '../../../session-host/logger.js';
import { ownedSessions } from './lease-fixtures.js';
import { createHostMetrics } from '../../../session-host/metrics.js';
import { useDynamo } from '../../adapter/shared/adapters/dynamodb/support.js';

const db = useDynamo();
const DEAD_AFTER = 5_000;
const LEASE = 60_000;

const sessions = () => new DynamoSessionRepository(db.ctx);
const registry = () =>
  new DynamoHostRegistry({ dynamo: db.ctx.dynamo, prefix: db.ctx.config.APP_RESOURCE_PREFIX });

/** A host item as a host leaves it, with its last heartbeat `ageMs` ago. */
async function hostBeatAgo(hostId: string, ageMs: number): Promise<void> {
  const at = Date.now() - ageMs;
  const item: HostItem = {
    hostId,
    queueUrl: `http://queues.invalid/host-${hostId}`,
    startedAt: new Date(at - 60_000).toISOString(),
    heartbeatAt: new Date(at).toISOString(),
    heartbeatUntil: at + 60_000,
    capacity: 200,
    sessions: 0,
    expiresAt: Math.floor(at / 1000) + 86_400,
  };
  await db.ctx.dynamo.send(
    new PutCommand({ TableName: physicalTableName(db.ctx.config.APP_RESOURCE_PREFIX, 'hosts'), Item: item }),
  );
}

/** Sessions owned by `hostId` with a lease that is valid for another minute. */
const ownedBy = (hostId: string, n: number): Promise<Session[]> =>
  ownedSessions(sessions(), hostId, n, LEASE);

function releaser(hostId: string): DeadHostReleaser {
  return new DeadHostReleaser({
    registry: registry(),
    sessions: sessions(),
    hostId,
    deadAfterMs: DEAD_AFTER,
    concurrency: 4,
    log: createHostLogger({ level: 'silent' }),
    metrics: createHostMetrics({ enabled: false, namespace: 'test', serviceName: 'test', hostId }),
  });
}

describe('DeadHostReleaser', () => {
  it("releases a stale host's sessions before their leases expire, and nothing of live hosts", async () => {
    const [dead, live, self] = [`dead-${newId()}`, `live-${newId()}`, `self-${newId()}`];
    await hostBeatAgo(dead, DEAD_AFTER * 2);
    await hostBeatAgo(live, 200);
    // This host's own item is stale too (a slow beat): it never releases its own sessions.
    await hostBeatAgo(self, DEAD_AFTER * 2);
    const deadOnes = await ownedBy(dead, 6);
    const liveOnes = await ownedBy(live, 2);
    const selfOnes = await ownedBy(self, 1);
    // A session of the dead host already taken over (its lease had run out) must not be released by anyone.
    const [taken] = await ownedBy(dead, 1);
    const thief = `thief-${newId()}`;
    await sessions().release(taken!.id, dead);
    await sessions().claim(taken!.id, thief, LEASE, Date.now());

    // The live host beats on (setting up can take longer than DEAD_AFTER on a loaded machine).
    await hostBeatAgo(live, 0);
    expect(await releaser(self).releaseDead()).toBe(6);

    const now = Date.now();
    for (const s of deadOnes) {
      const after = await sessions().getById(s.id);
      expect(after?.owner).toBeUndefined();
      expect(after?.leaseUntil).toBe(0);
      // Released well before the lease it held would have run out.
      expect(s.leaseUntil).toBeGreaterThan(now);
    }
    const claimable = (await sessions().findClaimable(Date.now(), 100)).map((s) => s.id);
    for (const s of deadOnes) expect(claimable).toContain(s.id);
    for (const s of liveOnes) expect((await sessions().getById(s.id))?.owner).toBe(live);
    for (const s of selfOnes) expect((await sessions().getById(s.id))?.owner).toBe(self);
    expect((await sessions().getById(taken!.id))?.owner).toBe(thief);

    // A second survivor arriving late finds nothing of the dead host left (`self` beats again meanwhile).
    await hostBeatAgo(self, 0);
    await hostBeatAgo(live, 0);
    expect(await releaser(`other-${newId()}`).releaseDead()).toBe(0);
  });

  it('lists live hosts apart from stale ones', async () => {
    const [fresh, old] = [`fresh-${newId()}`, `old-${newId()}`];
    await hostBeatAgo(fresh, 100);
    await hostBeatAgo(old, DEAD_AFTER * 3);
    const cutoff = Date.now() - DEAD_AFTER;
    const live = (await registry().listLive(cutoff)).map((h) => h.hostId);
    const stale = (await registry().listStale(cutoff)).map((h) => h.hostId);
    expect(live).toContain(fresh);
    expect(live).not.toContain(old);
    expect(stale).toContain(old);
    expect(stale).not.toContain(fresh);
  });
});
