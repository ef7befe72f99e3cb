/**
 * What the API and a host that linked the device leave behind, written straight to the tables: a running session
 * with stored creds (and `keys`, a BufferJSON `SignalDataSet`: prekeys, contacts' sessions, when given). For
 * benchmarks and chaos tests that need many linked sessions without scanning a QR for each. `desired: 'stopped'`
 * leaves it for the caller to start (`sessions.setDesired`): a benchmark that times the connects seeds every
 * session first, so its clock holds no seeding (a realistic session is ~1,800 items to write).
 */
import { BufferJSON, type AuthenticationCreds, type SignalDataSet } from '@whiskeysockets/baileys';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SessionAuthStore } from '../../session-host/auth-state.js';
import type { HostAdapters } from '../../session-host/compose.js';
import { physicalTableName } from '../../shared/definitions/tables.js';
import { newId, nowIso } from '../../shared/domain/ids.js';

export async function seedLinkedSession(
  adapters: HostAdapters,
  prefix: string,
  serializedCreds: string,
  tenantId: string = newId(),
  keys?: string,
  desired: 'running' | 'stopped' = 'running',
): Promise<string> {
  const id = newId();
  const now = nowIso();
  // Stopped while it is seeded: no host claims a stopped session, so none can start it before its creds exist.
  await adapters.sessions.create({
    id,
    tenantId,
    desired: 'stopped',
    status: 'starting',
    createdAt: now,
    updatedAt: now,
  });
  // Credential writes are fenced by the lease: the seeder takes it (a new tenure, as a claim does) while it
  // writes the items, then gives it back and lets hosts claim the session.
  const seeder = `seeder-${id}`;
  const taken = await adapters.clients.dynamo.send(
    new UpdateCommand({
      TableName: physicalTableName(prefix, 'sessions'),
      Key: { sessionId: id },
      UpdateExpression: 'SET #owner = :seeder, leaseUntil = :until ADD leaseEpoch :one',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':seeder': seeder, ':until': Date.now() + 600_000, ':one': 1 },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const auth = await SessionAuthStore.load({
    credentials: adapters.credentials,
    sessionId: id,
    fence: { hostId: seeder, leaseEpoch: Number(taken.Attributes?.['leaseEpoch']) },
    debounceMs: 0,
    onWriteError: () => undefined,
  });
  auth.updateCreds(JSON.parse(serializedCreds, BufferJSON.reviver) as AuthenticationCreds);
  if (keys) await auth.state.keys.set(JSON.parse(keys, BufferJSON.reviver) as SignalDataSet);
  await auth.flush();
  auth.close();
  await adapters.sessions.release(id, seeder);
  if (desired === 'running') await adapters.sessions.setDesired(tenantId, id, 'running');
  return id;
}
