import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoWsConnectionRepository } from '../../../../../shared/adapters/dynamodb/ws-connection-repository.js';
import { newId } from '../../../../../shared/domain/ids.js';
import type { WsConnection } from '../../../../../shared/ports/ws-connection-repository.js';
import { eventually } from '../../../../support/api-client.js';
import { startAwsEmulators, type AwsEmulators } from '../../../../support/aws-emulators.js';

describe('DynamoWsConnectionRepository', () => {
  let emulators: AwsEmulators;
  let repo: DynamoWsConnectionRepository;
  beforeAll(async () => {
    emulators = await startAwsEmulators();
    repo = new DynamoWsConnectionRepository({ dynamo: emulators.clients.dynamo, config: emulators.config });
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  const now = new Date('2026-03-01T12:00:00.000Z');
  const epoch = Math.floor(now.getTime() / 1000);
  const connection = (sessionId: string, connectionId: string, expiresAt = epoch + 3600): WsConnection => ({
    connectionId,
    sessionId,
    tenantId: newId(),
    connectedAt: now.toISOString(),
    expiresAt,
  });

  it('lists the connections of one session only', async () => {
    const a = newId();
    const b = newId();
    await repo.put(connection(a, 'conn-a1'));
    await repo.put(connection(a, 'conn-a2'));
    await repo.put(connection(b, 'conn-b1'));
    // `bySession` is a GSI: eventually consistent on AWS, and DynamoDB Local can lag a moment under load too.
    const listed = await eventually('both connections of session a listed', async () => {
      const found = await repo.listBySession(a, now);
      return found.length >= 2 ? found : undefined;
    });
    expect(listed.map((c) => c.connectionId).sort()).toEqual(['conn-a1', 'conn-a2']);
    expect(listed[0]).toMatchObject({ sessionId: a, connectedAt: now.toISOString() });
  });

  it("lists a tenant's connections through byTenant, tenant-wide (no session) and session ones, live only", async () => {
    const tenantId = newId();
    const sessionId = newId();
    const wide: WsConnection = { ...connection(sessionId, 'conn-t-wide'), tenantId };
    delete (wide as { sessionId?: string }).sessionId;
    await repo.put(wide);
    await repo.put({ ...connection(sessionId, 'conn-t-bound'), tenantId });
    await repo.put({ ...connection(sessionId, 'conn-t-expired', epoch - 1), tenantId });
    await repo.put(connection(sessionId, 'conn-other-tenant'));
    const listed = await eventually('both live connections of the tenant listed', async () => {
      const found = await repo.listByTenant(tenantId, now);
      return found.length >= 2 ? found : undefined;
    });
    expect(listed.map((c) => [c.connectionId, c.sessionId])).toEqual([
      ['conn-t-bound', sessionId],
      ['conn-t-wide', undefined],
    ]);
    expect(listed[1]).not.toHaveProperty('sessionId');
    // The sparse bySession index never shows a tenant-wide connection.
    const bySession = await eventually('the session lists its connections', async () => {
      const found = await repo.listBySession(sessionId, now);
      return found.length >= 2 ? found : undefined;
    });
    expect(bySession.map((c) => c.connectionId).sort()).toEqual(['conn-other-tenant', 'conn-t-bound']);
  });

  it('skips expired items, which DynamoDB Local never deletes', async () => {
    const s = newId();
    await repo.put(connection(s, 'conn-live', epoch + 10));
    await repo.put(connection(s, 'conn-expired', epoch - 1));
    const live = await eventually('the live connection listed', async () => {
      const found = await repo.listBySession(s, now);
      return found.length > 0 ? found : undefined;
    });
    expect(live.map((c) => c.connectionId)).toEqual(['conn-live']);
    expect(await repo.listBySession(s, new Date((epoch + 11) * 1000))).toEqual([]);
  });

  it('deletes a connection, and deleting it again is harmless', async () => {
    const s = newId();
    await repo.put(connection(s, 'conn-del'));
    await repo.delete('conn-del');
    await repo.delete('conn-del');
    expect(
      await eventually('the deleted connection gone from the index', async () =>
        (await repo.listBySession(s, now)).length === 0 ? [] : undefined,
      ),
    ).toEqual([]);
  });

  it('refuses an invalid connection before writing', async () => {
    await expect(repo.put({ ...connection(newId(), 'x'), sessionId: 'not-a-ulid' })).rejects.toThrow();
  });
});
