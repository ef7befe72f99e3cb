/**
 * The lease keeper's claim round against DynamoDB Local: candidates claimed concurrently but never more than
 * `APP_CLAIM_CONCURRENCY` writes at once, sessions with queued messages started first (the message table's
 * `queued` index), and never past the host's capacity.
 */
import { describe, expect, it } from 'vitest';
import { DynamoMessageRepository } from '../../../shared/adapters/dynamodb/message-repository.js';
import { DynamoSessionRepository } from '../../../shared/adapters/dynamodb/session-repository.js';
import { newId, nowIso } from '../../../shared/domain/ids.js';
import type { Session } from '../../../shared/domain/session.js';
import type { SessionRepository } from '../../../shared/ports/session-repository.js';
import { queuedProbe } from '../../../session-host/claim-priority.js';
import type { HostConfig } from '../../../session-host/config.js';
import { LeaseKeeper } from '../../../session-host/leases.js';
import { createHostLogger } from '../../../session-host/logger.js';
import { createHostMetrics } from '../../../session-host/metrics.js';
import { useDynamo } from '../../adapter/shared/adapters/dynamodb/support.js';
import { keeperConfig } from './lease-fixtures.js';

const db = useDynamo();

const hostConfig = (extra: Record<string, string>): HostConfig =>
  keeperConfig(db.ctx.config.APP_RESOURCE_PREFIX, extra);

/** The real repository, counting how many `claim` writes are in flight at once. */
function countingClaims(inner: SessionRepository): {
  repo: SessionRepository;
  peak: () => number;
  order: string[];
} {
  let active = 0;
  let peak = 0;
  const order: string[] = [];
  const repo = Object.create(inner) as SessionRepository;
  repo.claim = async (...args) => {
    order.push(args[0]);
    peak = Math.max(peak, ++active);
    try {
      return await inner.claim(...args);
    } finally {
      active--;
    }
  };
  return { repo, peak: () => peak, order };
}

async function unownedSessions(n: number): Promise<Session[]> {
  const repo = new DynamoSessionRepository(db.ctx);
  const out: Session[] = [];
  for (let i = 0; i < n; i++) {
    const at = nowIso();
    out.push(
      await repo.create({
        id: newId(),
        tenantId: newId(),
        desired: 'running',
        status: 'starting',
        createdAt: at,
        updatedAt: at,
      }),
    );
  }
  return out;
}

async function queueOne(session: Session): Promise<void> {
  const at = nowIso();
  await new DynamoMessageRepository(db.ctx).create({
    id: newId(),
    tenantId: session.tenantId,
    sessionId: session.id,
    direction: 'outbound',
    chatJid: '15550001111@s.whatsapp.net',
    to: '+15550001111',
    type: 'text',
    content: { type: 'text', text: { body: 'waiting' } },
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    createdAt: at,
    updatedAt: at,
  });
}

function keeper(config: HostConfig, sessions: SessionRepository, started: string[]): LeaseKeeper {
  return new LeaseKeeper({
    config,
    sessions,
    log: createHostLogger({ level: 'silent' }),
    metrics: createHostMetrics({ enabled: false, namespace: 'test', serviceName: 'test', hostId: 'test' }),
    runners: () => [],
    load: () => started.length,
    run: (session) => void started.push(session.id),
    stopWanted: async () => undefined,
    hasQueued: queuedProbe(new DynamoMessageRepository(db.ctx)),
  });
}

describe('LeaseKeeper claim round', () => {
  it('claims every candidate with bounded concurrency, sessions with queued messages first', async () => {
    const sessions = await unownedSessions(16);
    // findClaimable returns oldest expiry first (all 0 here): the queued ones are wherever the index puts them.
    const withWork = [sessions[5]!, sessions[11]!, sessions[14]!];
    for (const s of withWork) await queueOne(s);
    const config = hostConfig({ APP_HOST_CAPACITY: '16', APP_CLAIM_CONCURRENCY: '3' });
    const counting = countingClaims(new DynamoSessionRepository(db.ctx));
    const started: string[] = [];

    expect(await keeper(config, counting.repo, started).claimRound()).toBe(16);

    expect(new Set(started)).toEqual(new Set(sessions.map((s) => s.id)));
    // The first three claim writes are the queued sessions' (they then start as their writes come back).
    expect(new Set(counting.order.slice(0, 3))).toEqual(new Set(withWork.map((s) => s.id)));
    expect(counting.order).toHaveLength(16);
    expect(counting.peak()).toBeGreaterThan(1);
    expect(counting.peak()).toBeLessThanOrEqual(3);
    const repo = new DynamoSessionRepository(db.ctx);
    for (const s of sessions) expect((await repo.getById(s.id))?.owner).toBe(config.hostId);
  });

  it('never claims past the capacity, even with many writes in flight', async () => {
    await unownedSessions(12);
    const config = hostConfig({ APP_HOST_CAPACITY: '5', APP_CLAIM_CONCURRENCY: '8' });
    const started: string[] = [];
    const claimed = await keeper(config, new DynamoSessionRepository(db.ctx), started).claimRound();
    expect(claimed).toBe(5);
    expect(started).toHaveLength(5);
    const owned = await new DynamoSessionRepository(db.ctx).listByOwner(config.hostId);
    expect(owned).toHaveLength(5);
  });
});
