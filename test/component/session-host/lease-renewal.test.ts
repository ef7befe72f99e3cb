/**
 * The lease keeper's renewal round against DynamoDB Local (issue #14): every lease in batches of 25
 * (`BatchExecuteStatement`), then the single `renew` only for the sessions the batch refused, which tells a lease
 * taken by another host (the socket stops) from a session its tenant stopped (stopped and released).
 */
import { describe, expect, it } from 'vitest';
import { DynamoSessionRepository } from '../../../shared/adapters/dynamodb/session-repository.js';
import type { SessionRepository } from '../../../shared/ports/session-repository.js';
import { LeaseKeeper } from '../../../session-host/leases.js';
import { createHostLogger } from '../../../session-host/logger.js';
import { createHostMetrics } from '../../../session-host/metrics.js';
import type { SessionRunner } from '../../../session-host/runner.js';
import { DynamoCallLog } from '../../support/dynamo-call-log.js';
import { useDynamo } from '../../adapter/shared/adapters/dynamodb/support.js';
import { keeperConfig, ownedSessions } from './lease-fixtures.js';

const db = useDynamo();
const LEASE_MS = 10_000;

/** What the keeper asks of a runner: its session, whether it is stopping, and the lease-lost hook. */
class RunnerDouble {
  stopping = false;
  leaseLost = 0;
  constructor(readonly sessionId: string) {}
  async onLeaseLost(): Promise<void> {
    this.leaseLost++;
    this.stopping = true;
  }
}

/** The real repository, counting its lease calls. */
function counting(inner: SessionRepository) {
  const calls = { renewMany: 0, renew: [] as string[] };
  const repo = Object.create(inner) as SessionRepository;
  repo.renewMany = async (...args) => {
    calls.renewMany++;
    return inner.renewMany(...args);
  };
  repo.renew = async (...args) => {
    calls.renew.push(args[0]);
    return inner.renew(...args);
  };
  return { repo, calls };
}

describe('LeaseKeeper renewal round', () => {
  it('renews 30 leases in two batch calls and asks again only for the taken and the stopped one', async () => {
    const prefix = db.ctx.config.APP_RESOURCE_PREFIX;
    const config = keeperConfig(prefix, { APP_LEASE_MS: String(LEASE_MS) });
    const store = new DynamoSessionRepository(db.ctx);
    const claimedAt = Date.now();
    const owned = await ownedSessions(store, config.hostId, 30, LEASE_MS, claimedAt);
    const runners = owned.map((session) => new RunnerDouble(session.id));
    // Another host took one (its lease ran out on a stalled host); the tenant stopped another.
    const taken = runners[3]!;
    await store.claim(taken.sessionId, 'other-host', LEASE_MS, claimedAt + LEASE_MS + 1);
    const stopped = runners[26]!;
    const stoppedTenant = (await store.getById(stopped.sessionId))!.tenantId;
    await store.setDesired(stoppedTenant, stopped.sessionId, 'stopped');

    const { repo, calls } = counting(store);
    const stopWanted: string[] = [];
    const keeper = new LeaseKeeper({
      config,
      sessions: repo,
      log: createHostLogger({ level: 'silent' }),
      metrics: createHostMetrics({ enabled: false, namespace: 'test', serviceName: 'test', hostId: 'test' }),
      runners: () => runners as unknown as SessionRunner[],
      load: () => runners.length,
      run: () => undefined,
      stopWanted: async (runner) => void stopWanted.push(runner.sessionId),
    });
    const log = new DynamoCallLog(prefix);
    log.attach(db.ctx.dynamo);
    const since = Date.now();

    await keeper.renewAll();

    const batches = log.calls.filter((c) => c.at >= since && c.operation === 'BatchExecuteStatement');
    expect(batches).toHaveLength(2);
    expect(calls.renewMany).toBe(1);
    expect(new Set(calls.renew)).toEqual(new Set([taken.sessionId, stopped.sessionId]));
    expect(log.calls.filter((c) => c.at >= since && c.operation === 'UpdateItem')).toHaveLength(2);
    // The taken one stops its socket; the stopped one is handed to stopWanted; nobody else is touched.
    expect(taken.leaseLost).toBe(1);
    expect(stopWanted).toEqual([stopped.sessionId]);
    expect(runners.filter((r) => r.leaseLost > 0).map((r) => r.sessionId)).toEqual([taken.sessionId]);
    for (const runner of runners.filter((r) => r !== taken && r !== stopped)) {
      expect((await store.getById(runner.sessionId))?.leaseUntil).toBeGreaterThanOrEqual(since + LEASE_MS);
    }
    expect((await store.getById(taken.sessionId))?.owner).toBe('other-host');
  });
});
