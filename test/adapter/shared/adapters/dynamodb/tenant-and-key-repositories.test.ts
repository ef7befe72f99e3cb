import { describe, expect, it } from 'vitest';
import { DynamoApiKeyRepository } from '../../../../../shared/adapters/dynamodb/api-key-repository.js';
import { DynamoTenantRepository } from '../../../../../shared/adapters/dynamodb/tenant-repository.js';
import { generateApiKey, type ApiKey } from '../../../../../shared/domain/api-key.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../../../shared/domain/errors.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import type { Tenant } from '../../../../../shared/domain/tenant.js';
import { useDynamo } from './support.js';

const db = useDynamo();
const tenants = () => new DynamoTenantRepository(db.ctx);
const keys = () => new DynamoApiKeyRepository(db.ctx);

function tenant(): Tenant {
  return {
    id: newId(),
    name: 'Acme',
    status: 'active',
    limits: { maxSessions: 5, sendsPerMinute: 60, requestsPerMinute: 600 },
    createdAt: nowIso(),
  };
}

function newKey(tenantId: string): { apiKey: ApiKey; key: string; hash: string } {
  const generated = generateApiKey();
  const apiKey: ApiKey = {
    id: newId(),
    tenantId,
    name: 'ci',
    scopes: ['sessions:read', 'messages:send'],
    prefix: generated.prefix,
    createdAt: nowIso(),
  };
  return { apiKey, key: generated.key, hash: generated.hash };
}

describe('DynamoTenantRepository', () => {
  it('creates idempotently on id and refuses different content', async () => {
    const t = tenant();
    expect(await tenants().create(t)).toEqual(t);
    await expect(tenants().create({ ...t, createdAt: nowIso() })).resolves.toEqual(t);
    await expect(tenants().create({ ...t, name: 'Other' })).rejects.toBeInstanceOf(ConflictError);
    await expect(tenants().create({ ...t, limits: { ...t.limits, maxSessions: 6 } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await tenants().get(t.id)).toEqual(t);
    expect(await db.rawItem('tenants', { tenantId: t.id })).not.toHaveProperty('id');
  });

  it('updates limits and status, and reports a missing tenant', async () => {
    const t = await tenants().create(tenant());
    const updated = await tenants().update(t.id, {
      status: 'suspended',
      limits: { ...t.limits, maxSessions: 50 },
    });
    expect(updated).toMatchObject({ status: 'suspended', limits: { maxSessions: 50 }, name: 'Acme' });
    expect(updated.updatedAt).toBeDefined();
    expect((await tenants().get(t.id))?.status).toBe('suspended');
    await expect(tenants().update(newId(), { status: 'active' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await tenants().get(newId())).toBeNull();
  });
});

describe('DynamoApiKeyRepository', () => {
  it('stores the hash only, never the plaintext key', async () => {
    const { apiKey, key, hash } = newKey(newId());
    await keys().create(apiKey, hash);
    const raw = await db.rawItem('apiKeys', { keyHash: hash });
    expect(raw?.keyHash).toBe(hash);
    expect(JSON.stringify(raw)).not.toContain(key);
    expect(JSON.stringify(raw)).not.toContain(key.slice(12));
    const found = await keys().findByHash(hash);
    expect(found).toEqual(apiKey);
    expect(found).not.toHaveProperty('keyHash');
    // Handing the plaintext key over by mistake is refused, not stored.
    await expect(keys().create(newKey(apiKey.tenantId).apiKey, key)).rejects.toThrow(/SHA-256/);
    expect(await keys().findByHash(key)).toBeNull();
  });

  it('creates idempotently and refuses the same hash under another key id', async () => {
    const { apiKey, hash } = newKey(newId());
    await keys().create(apiKey, hash);
    await expect(keys().create(apiKey, hash)).resolves.toEqual(apiKey);
    await expect(keys().create({ ...apiKey, id: newId() }, hash)).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists a tenant’s keys across pages with a cursor that carries no hash', async () => {
    const tenantId = newId();
    const made = [];
    for (let i = 0; i < 5; i++) {
      const k = newKey(tenantId);
      made.push(k);
      await keys().create(k.apiKey, k.hash);
    }
    const other = newKey(newId());
    await keys().create(other.apiKey, other.hash);
    const seen: ApiKey[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await keys().listByTenant(tenantId, { limit: 2, cursor });
      seen.push(...page.items);
      for (const k of made)
        if (page.cursor)
          expect(Buffer.from(page.cursor.split('.')[0]!, 'base64url').toString()).not.toContain(k.hash);
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((k) => k.id)).toEqual(made.map((k) => k.apiKey.id));
    await expect(keys().listByTenant(tenantId, { cursor: 'eyJ4IjoxfQ' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('revokes a key of its own tenant only', async () => {
    const { apiKey, hash } = newKey(newId());
    await keys().create(apiKey, hash);
    await expect(keys().revoke(newId(), apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await keys().findByHash(hash)).not.toBeNull();
    await keys().revoke(apiKey.tenantId, apiKey.id);
    expect(await keys().findByHash(hash)).toBeNull();
    await expect(keys().revoke(apiKey.tenantId, apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('touches lastUsedAt at most once per minute and ignores unknown keys', async () => {
    const { apiKey, hash } = newKey(newId());
    await keys().create(apiKey, hash);
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    await keys().touchLastUsed(hash, t0);
    expect((await keys().findByHash(hash))?.lastUsedAt).toBe(t0.toISOString());
    await keys().touchLastUsed(hash, new Date(t0.getTime() + 30_000));
    expect((await keys().findByHash(hash))?.lastUsedAt).toBe(t0.toISOString());
    const t2 = new Date(t0.getTime() + 61_000);
    await keys().touchLastUsed(hash, t2);
    expect((await keys().findByHash(hash))?.lastUsedAt).toBe(t2.toISOString());
    const unknown = generateApiKey().hash;
    await expect(keys().touchLastUsed(unknown, t2)).resolves.toBeUndefined();
    expect(await db.rawItem('apiKeys', { keyHash: unknown })).toBeUndefined();
  });
});
