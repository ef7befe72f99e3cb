/**
 * The host's group cache over the real groups table (DynamoDB Local): reads shared and kept for the TTL, this
 * host's writes seen at once, failed reads not kept, and a bounded number of groups.
 */
import { describe, expect, it } from 'vitest';
import { DynamoGroupRepository } from '../../../../shared/adapters/dynamodb/group-repository.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type { GroupRepository } from '../../../../shared/ports/group-repository.js';
import { CachedGroupRepository } from '../../../../session-host/groups/cached-groups.js';
import { useDynamo } from '../../../adapter/shared/adapters/dynamodb/support.js';
import { groupInfo } from '../../../support/group-info.js';

const db = useDynamo();

const info = (id: string, subject: string) => groupInfo({ id, subject });

/** The real repository, counting its reads (and failing them while `failing`). */
function countingReads(inner: GroupRepository) {
  const state = { reads: 0, failing: false };
  const repo = Object.create(inner) as GroupRepository;
  repo.get = async (...args) => {
    state.reads++;
    if (state.failing) throw new Error('ProvisionedThroughputExceededException');
    return inner.get(...args);
  };
  return { repo, state };
}

describe('CachedGroupRepository', () => {
  it('serves concurrent and repeated reads of a group from one GetItem until the TTL runs out', async () => {
    const store = new DynamoGroupRepository(db.ctx);
    const [tenantId, sessionId, group] = [newId(), newId(), `1203630${Date.now()}@g.us`];
    await store.put(tenantId, sessionId, info(group, 'Ops'), nowIso());
    const { repo, state } = countingReads(store);
    let now = 1_000;
    const cache = new CachedGroupRepository(repo, { ttlMs: 30_000, now: () => now });

    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.get(sessionId, group)));
    expect(answers.every((g) => g?.subject === 'Ops' && g.size === 2)).toBe(true);
    expect(state.reads).toBe(1);
    now += 29_999;
    expect((await cache.get(sessionId, group))?.subject).toBe('Ops');
    expect(state.reads).toBe(1);
    // Renamed elsewhere (the API's call): seen once the TTL has run out.
    await store.patch(sessionId, group, { subject: 'Ops renamed elsewhere' }, nowIso());
    now += 2;
    expect((await cache.get(sessionId, group))?.subject).toBe('Ops renamed elsewhere');
    expect(state.reads).toBe(2);
    // A group not stored is cached as such too, and another session's group is its own entry.
    expect(await cache.get(newId(), group)).toBeNull();
    expect(state.reads).toBe(3);
  });

  it('answers this host’s writes at once, without reading them back', async () => {
    const store = new DynamoGroupRepository(db.ctx);
    const [tenantId, sessionId, group] = [newId(), newId(), `1203631${Date.now()}@g.us`];
    const { repo, state } = countingReads(store);
    const cache = new CachedGroupRepository(repo);
    await cache.put(tenantId, sessionId, info(group, 'First'), nowIso());
    expect((await cache.get(sessionId, group))?.subject).toBe('First');
    await cache.patch(sessionId, group, { subject: 'Second' }, nowIso());
    expect((await cache.get(sessionId, group))?.subject).toBe('Second');
    await cache.changeParticipants(sessionId, group, 'add', [{ phone: '+15550000003' }], nowIso());
    expect((await cache.get(sessionId, group))?.size).toBe(3);
    expect(state.reads).toBe(0);
    expect((await store.get(sessionId, group))?.size).toBe(3);
  });

  it('does not keep a failed read, and keeps at most maxEntries groups', async () => {
    const store = new DynamoGroupRepository(db.ctx);
    const [tenantId, sessionId] = [newId(), newId()];
    const groups = [0, 1, 2].map((i) => `12036320${i}${Date.now()}@g.us`);
    for (const g of groups) await store.put(tenantId, sessionId, info(g, g), nowIso());
    const { repo, state } = countingReads(store);
    const cache = new CachedGroupRepository(repo, { maxEntries: 2 });

    state.failing = true;
    await expect(cache.get(sessionId, groups[0]!)).rejects.toThrow('ProvisionedThroughput');
    state.failing = false;
    expect((await cache.get(sessionId, groups[0]!))?.subject).toBe(groups[0]);
    expect(state.reads).toBe(2);

    await cache.get(sessionId, groups[1]!);
    await cache.get(sessionId, groups[2]!); // the third pushes out the oldest read, groups[0]
    expect(state.reads).toBe(4);
    await cache.get(sessionId, groups[2]!);
    await cache.get(sessionId, groups[1]!);
    expect(state.reads).toBe(4);
    await cache.get(sessionId, groups[0]!);
    expect(state.reads).toBe(5);
  });
});
