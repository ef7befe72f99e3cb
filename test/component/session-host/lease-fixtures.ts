/**
 * Fixtures for tests of leases against DynamoDB Local (claim and renewal rounds, dead-host release, handover):
 * a host config for the lease keeper alone, and sessions a host already owns.
 */
import { newId, nowIso } from '../../../shared/domain/ids.js';
import type { Session } from '../../../shared/domain/session.js';
import type { SessionRepository } from '../../../shared/ports/session-repository.js';
import { loadHostConfig, type HostConfig } from '../../../session-host/config.js';

/** Only the keeper's knobs matter; the AWS part is a placeholder the keeper never uses. */
export function keeperConfig(prefix: string, extra: Readonly<Record<string, string>> = {}): HostConfig {
  return loadHostConfig({
    AWS_REGION: 'us-east-1',
    APP_RESOURCE_PREFIX: prefix,
    APP_CREDENTIALS_BUCKET: `${prefix}credentials`,
    APP_MEDIA_BUCKET: `${prefix}media`,
    APP_LOCAL_MODE: 'true',
    APP_LOCAL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    APP_METRICS: 'false',
    APP_HOST_ID: `keeper-${newId()}`,
    ...extra,
  });
}

/** `n` connected sessions of their own tenants, claimed by `owner` for `leaseMs` from `now` (default: each claim's). */
export async function ownedSessions(
  sessions: SessionRepository,
  owner: string,
  n: number,
  leaseMs: number,
  now?: number,
): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < n; i++) {
    const at = nowIso();
    const session = await sessions.create({
      id: newId(),
      tenantId: newId(),
      desired: 'running',
      status: 'connected',
      createdAt: at,
      updatedAt: at,
    });
    out.push((await sessions.claim(session.id, owner, leaseMs, now ?? Date.now()))!);
  }
  return out;
}
