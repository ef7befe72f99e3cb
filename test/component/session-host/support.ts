/**
 * Shared set-up for the session host's component tests: the local cloud (DynamoDB Local, fauxqs, KMS stand-in,
 * EventBridge, WebSocket gateway), the WhatsApp simulator, hosts started in process with short lease timings,
 * and helpers that play the tenant (create a session) and the phone (scan the QR the host wrote).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuthenticationCreds } from '@whiskeysockets/baileys';
import { startLocalCloud, type RunningLocalCloud } from '../../../local/cloud.js';
import { localClientOptions } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';
import { newId, nowIso } from '../../../shared/domain/ids.js';
import type { Session } from '../../../shared/domain/session.js';
import type { AwsClientOptions } from '../../../shared/adapters/aws/clients.js';
import { physicalTableName } from '../../../shared/definitions/tables.js';
import { CREDS_TYPE } from '../../../shared/ports/credential-store.js';
import { decodeCredentialValue } from '../../../session-host/credential-codec.js';
import { composeHostAdapters, type HostAdapters } from '../../../session-host/compose.js';
import { loadHostConfig, type HostConfig } from '../../../session-host/config.js';
import { startSessionHost, type SessionHost, type SessionHostOptions } from '../../../session-host/host.js';
import { createHostLogger } from '../../../session-host/logger.js';
import { WhatsAppSimulator } from '../../../simulator/index.js';

/** Short timings so takeovers happen in seconds; the ratios match production (lease = 3 renewals+). */
export const FAST_HOST_ENV: Readonly<Record<string, string>> = {
  APP_HOST_CAPACITY: '20',
  APP_LEASE_MS: '3000',
  APP_LEASE_RENEW_MS: '500',
  APP_CLAIM_INTERVAL_MS: '250',
  APP_CLAIM_JITTER_MS: '100',
  APP_RECONNECT_BASE_MS: '100',
  APP_RECONNECT_MAX_MS: '1000',
  APP_CREDENTIALS_DEBOUNCE_MS: '100',
  APP_HEARTBEAT_INTERVAL_MS: '250',
  APP_DEAD_HOST_AFTER_MS: '2500',
  APP_HEARTBEAT_TTL_MS: '3000',
  APP_SWEEP_INTERVAL_MS: '500',
  APP_METRICS: 'false',
  APP_LOG_LEVEL: process.env.HOST_LOG ?? 'silent',
  APP_BAILEYS_LOG_LEVEL: 'silent',
  APP_HEALTH_PORT: '0',
};

export interface HostWorld {
  readonly cloud: RunningLocalCloud;
  readonly sim: WhatsAppSimulator;
  /** Adapters over the same cloud, for the test to read and write what the tenant and the API would. */
  readonly adapters: HostAdapters;
  readonly clientOptions: AwsClientOptions;
  /** The environment a host process needs (cloud + simulator + fast timings). */
  readonly hostEnv: Readonly<Record<string, string>>;
  config(extra?: Readonly<Record<string, string>>): HostConfig;
  startHost(extra?: Readonly<Record<string, string>>, options?: SessionHostOptions): Promise<SessionHost>;
  stop(): Promise<void>;
}

export async function startHostWorld(): Promise<HostWorld> {
  const cloud = await startLocalCloud({ setEnv: false, stackFile: false, log: silentLog });
  const sim = new WhatsAppSimulator();
  await sim.start({ port: 0 });
  const { stack } = cloud;
  const clientOptions: AwsClientOptions = localClientOptions(stack);
  const hostEnv = {
    ...cloud.env,
    ...FAST_HOST_ENV,
    APP_WA_URL: sim.wsUrl,
    APP_WA_ROOT_PUBLIC_KEY: sim.rootPublicKey,
  };
  const config = (extra: Readonly<Record<string, string>> = {}) => loadHostConfig({ ...hostEnv, ...extra });
  const base = config();
  const adapters = composeHostAdapters(base.app, createHostLogger({ level: 'silent' }), clientOptions);
  const hosts: SessionHost[] = [];
  return {
    cloud,
    sim,
    adapters,
    clientOptions,
    hostEnv,
    config,
    async startHost(extra = {}, options = {}) {
      const host = await startSessionHost({
        config: config(extra),
        clientOptions,
        commandWaitSeconds: 1,
        ...options,
      });
      hosts.push(host);
      return host;
    },
    async stop() {
      await Promise.all(hosts.map((h) => h.stop()));
      adapters.destroy();
      await sim.stop();
      await cloud.stop();
    },
  };
}

/** What `POST /v1/sessions` stores: a session wanted running, unowned. */
export async function createSession(
  adapters: HostAdapters,
  tenantId: string = newId(),
  id: string = newId(),
): Promise<Session> {
  const now = nowIso();
  return adapters.sessions.create({
    id,
    tenantId,
    desired: 'running',
    status: 'starting',
    createdAt: now,
    updatedAt: now,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds (deadline, not a timed assertion); returns the last value. */
export async function until<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(50);
    last = await read();
  }
  return last;
}

export async function sessionNow(adapters: HostAdapters, id: string): Promise<Session> {
  const s = await adapters.sessions.getById(id);
  if (!s) throw new Error(`session ${id} is gone`);
  return s;
}

/**
 * The phone scans the QR on the session item as a user does with today's WhatsApp: the first scan brings
 * `companion_reg_refresh`, the host re-draws the QR with a new adv secret, and the user scans that one.
 * Resolves with the QR that paired.
 */
export async function scanSessionQr(
  sim: WhatsAppSimulator,
  adapters: HostAdapters,
  sessionId: string,
  phone: string,
  ms = 20_000,
): Promise<string> {
  const withQr = await until(
    () => sessionNow(adapters, sessionId),
    (s) => s.status === 'qr' && s.qr !== undefined,
    'a QR on the session item',
    ms,
  );
  const first = withQr.qr!.code;
  if ((await sim.scanQr(first, phone)).outcome === 'paired') return first;
  const redrawn = await until(
    () => sessionNow(adapters, sessionId),
    (s) => s.qr !== undefined && s.qr.code !== first,
    'the QR re-drawn after companion_reg_refresh',
    ms,
  );
  await sim.scanQr(redrawn.qr!.code, phone);
  return redrawn.qr!.code;
}

/** The phone scans the QR the host wrote onto the session item; resolves once the session is `connected`. */
export async function linkByQr(world: HostWorld, session: Session, phone: string): Promise<Session> {
  await scanSessionQr(world.sim, world.adapters, session.id, phone);
  return until(
    () => sessionNow(world.adapters, session.id),
    (s) => s.status === 'connected',
    'connected after the scan',
  );
}

let phoneSeq = 0;
/** A fresh account number per test (`+1555` + pid-derived digits), so tests never share a WhatsApp account. */
export function freshPhone(): string {
  phoneSeq++;
  return `+1555${String(process.pid % 1000).padStart(3, '0')}${String(phoneSeq).padStart(4, '0')}`;
}

/** The session's credential items as the table holds them (`creds`, `dataKey`, `<type>#<id>`), sorted. */
export async function credentialItemKeys(world: HostWorld, sessionId: string): Promise<string[]> {
  const out = await world.adapters.clients.dynamo.send(
    new QueryCommand({
      TableName: physicalTableName(world.config().app.APP_RESOURCE_PREFIX, 'credentials'),
      KeyConditionExpression: 'sessionId = :s',
      ExpressionAttributeValues: { ':s': sessionId },
      ProjectionExpression: 'itemKey',
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => String(i['itemKey'])).sort();
}

/**
 * The creds the session's items hold, opened as a host opens them (the data key must exist: this reader holds no
 * lease, so it may not make one). Null when there are none.
 */
export async function storedCreds(
  adapters: HostAdapters,
  sessionId: string,
): Promise<AuthenticationCreds | null> {
  const store = await adapters.credentials.open(sessionId, { hostId: 'test-reader', leaseEpoch: -1 });
  try {
    const [item] = await store.read([{ type: CREDS_TYPE, id: '' }]);
    return item ? (decodeCredentialValue(CREDS_TYPE, item.value) as AuthenticationCreds) : null;
  } finally {
    store.close();
  }
}

/** Every item of the session decoded, as the pre-#14 single object held them: `{ v: 1, creds, keys }`. */
export async function storedAuthObject(
  world: HostWorld,
  sessionId: string,
): Promise<{ v: 1; creds: unknown; keys: Record<string, Record<string, unknown>> }> {
  const keys = (await credentialItemKeys(world, sessionId))
    .filter((k) => k.includes('#'))
    .map((k) => ({ type: k.slice(0, k.indexOf('#')), id: k.slice(k.indexOf('#') + 1) }));
  const store = await world.adapters.credentials.open(sessionId, { hostId: 'test-reader', leaseEpoch: -1 });
  try {
    const out: Record<string, Record<string, unknown>> = {};
    for (const item of await store.read(keys)) {
      (out[item.type] ??= {})[item.id] = decodeCredentialValue(item.type, item.value);
    }
    return { v: 1, creds: await storedCreds(world.adapters, sessionId), keys: out };
  } finally {
    store.close();
  }
}
