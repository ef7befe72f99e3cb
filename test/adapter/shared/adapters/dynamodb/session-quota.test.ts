/** The session quota kept on the tenant's item (`createWithinQuota` / `delete`), on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { DynamoSessionRepository } from '../../../../../shared/adapters/dynamodb/session-repository.js';
import { DynamoTenantRepository } from '../../../../../shared/adapters/dynamodb/tenant-repository.js';
import { ConflictError, NotFoundError, QuotaExceededError } from '../../../../../shared/domain/errors.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import type { Session } from '../../../../../shared/domain/session.js';
import { DEFAULT_TENANT_LIMITS } from '../../../../../shared/domain/tenant.js';
import { useDynamo } from './support.js';

const db = useDynamo();
const sessions = () => new DynamoSessionRepository(db.ctx);

async function tenant(): Promise<string> {
  const id = newId();
  await new DynamoTenantRepository(db.ctx).create({
    id,
    name: 'quota test',
    status: 'active',
    limits: { ...DEFAULT_TENANT_LIMITS },
    createdAt: nowIso(),
  });
  return id;
}

function session(tenantId: string, name = 'main'): Session {
  const at = nowIso();
  return {
    id: newId(),
    tenantId,
    name,
    desired: 'running',
    status: 'starting',
    createdAt: at,
    updatedAt: at,
  };
}

const countOf = async (tenantId: string) =>
  (await db.rawItem('tenants', { tenantId }))?.['sessionCount'] as number | undefined;

describe('DynamoSessionRepository: session quota', () => {
  it('counts sessions up to the limit, refuses the next, and a delete gives the place back', async () => {
    const tenantId = await tenant();
    const a = await sessions().createWithinQuota(session(tenantId), 2);
    await sessions().createWithinQuota(session(tenantId), 2);
    expect(await countOf(tenantId)).toBe(2);
    await expect(sessions().createWithinQuota(session(tenantId), 2)).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    expect(await countOf(tenantId)).toBe(2);
    expect((await sessions().listByTenant(tenantId)).items).toHaveLength(2);

    await sessions().delete(tenantId, a.id);
    expect(await countOf(tenantId)).toBe(1);
    await sessions().createWithinQuota(session(tenantId), 2);
    expect(await countOf(tenantId)).toBe(2);
  });

  it('twenty creates racing for three places: exactly three sessions, the rest refused', async () => {
    const tenantId = await tenant();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => sessions().createWithinQuota(session(tenantId, `s${i}`), 3)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof QuotaExceededError);
    expect(won).toHaveLength(3);
    expect(refused).toHaveLength(17);
    expect((await sessions().listByTenant(tenantId)).items).toHaveLength(3);
    expect(await countOf(tenantId)).toBe(3);
  });

  it('a retried create returns the stored session and counts it once; another session under its id conflicts', async () => {
    const tenantId = await tenant();
    const s = session(tenantId);
    const first = await sessions().createWithinQuota(s, 5);
    await expect(sessions().createWithinQuota(s, 5)).resolves.toEqual(first);
    expect(await countOf(tenantId)).toBe(1);
    await expect(sessions().createWithinQuota({ ...s, name: 'other' }, 5)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await countOf(tenantId)).toBe(1);
  });

  it('two deletes racing for one counted session give back one place', async () => {
    const tenantId = await tenant();
    const s = await sessions().createWithinQuota(session(tenantId), 5);
    await sessions().createWithinQuota(session(tenantId), 5);
    const results = await Promise.allSettled([
      sessions().delete(tenantId, s.id),
      sessions().delete(tenantId, s.id),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect(failed?.reason).toBeInstanceOf(NotFoundError);
    expect(await countOf(tenantId)).toBe(1);
  });

  it('a limit of zero, a missing tenant and another tenant’s delete are refused without counting', async () => {
    const tenantId = await tenant();
    await expect(sessions().createWithinQuota(session(tenantId), 0)).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    const ghost = session(newId());
    await expect(sessions().createWithinQuota(ghost, 5)).rejects.toBeInstanceOf(QuotaExceededError);
    expect(await sessions().getById(ghost.id)).toBeNull();

    const s = await sessions().createWithinQuota(session(tenantId), 5);
    await expect(sessions().delete(newId(), s.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await countOf(tenantId)).toBe(1);
  });

  it('sessions written by plain create are outside the count; the marker never shows on a read', async () => {
    const tenantId = await tenant();
    const plain = await sessions().create(session(tenantId));
    const counted = await sessions().createWithinQuota(session(tenantId), 5);
    expect(await countOf(tenantId)).toBe(1);
    await sessions().delete(tenantId, plain.id);
    expect(await countOf(tenantId)).toBe(1);

    expect((await db.rawItem('sessions', { sessionId: counted.id }))?.['inQuota']).toBe(true);
    expect(await sessions().getById(counted.id)).not.toHaveProperty('inQuota');
    expect(counted).not.toHaveProperty('inQuota');
  });

  it('lowering the limit below the count refuses new sessions until enough are deleted', async () => {
    const tenantId = await tenant();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await sessions().createWithinQuota(session(tenantId), 3));
    await expect(sessions().createWithinQuota(session(tenantId), 2)).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    await sessions().delete(tenantId, made[0]!.id);
    await expect(sessions().createWithinQuota(session(tenantId), 2)).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    await sessions().delete(tenantId, made[1]!.id);
    await sessions().createWithinQuota(session(tenantId), 2);
    expect(await countOf(tenantId)).toBe(2);
  });
});
