/**
 * What every benchmark runs against, in the parent process: the WhatsApp simulator (so arrivals in a
 * contact's inbox are timed where they happen), and for the host side the local cloud (DynamoDB Local, fauxqs,
 * KMS stand-in, EventBridge) with adapters to seed sessions the way the API and a previous host would leave them.
 */
import { BufferJSON, type AuthenticationCreds, type SignalDataSet } from '@whiskeysockets/baileys';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalCloud, type RunningLocalCloud } from '../../local/cloud.js';
import { localClientOptions } from '../../local/local-aws.js';
import { silentLog } from '../../local/log.js';
import { SessionAuthStore } from '../../session-host/auth-state.js';
import { composeHostAdapters, type HostAdapters } from '../../session-host/compose.js';
import { loadHostConfig } from '../../session-host/config.js';
import { createHostLogger } from '../../session-host/logger.js';
import { physicalTableName } from '../../shared/definitions/tables.js';
import { newId, nowIso } from '../../shared/domain/ids.js';
import { provisionLinkedDevice } from '../../simulator/provision.js';
import { WhatsAppSimulator } from '../../simulator/index.js';

export const phoneOf = (run: number, i: number): string =>
  `17${String(run).padStart(2, '0')}${String(i).padStart(7, '0')}`;

export interface SimWorld {
  readonly sim: WhatsAppSimulator;
  /** Environment for a bare-sockets child. */
  readonly bareEnv: Readonly<Record<string, string>>;
  /** Linked-device creds for `n` accounts, serialized for a child (BufferJSON). */
  provision(run: number, n: number): Promise<{ phones: string[]; creds: string[] }>;
  stop(): Promise<void>;
}

export async function startSimWorld(): Promise<SimWorld> {
  const sim = new WhatsAppSimulator();
  await sim.start({ port: 0 });
  return {
    sim,
    bareEnv: { BENCH_WA_URL: sim.wsUrl, BENCH_ROOT_KEY: sim.rootPublicKey },
    async provision(run, n) {
      const phones = Array.from({ length: n }, (_, i) => phoneOf(run, i));
      const creds: string[] = [];
      for (const phone of phones) {
        creds.push(JSON.stringify(await provisionLinkedDevice(sim, phone), BufferJSON.replacer));
      }
      return { phones, creds };
    },
    stop: () => sim.stop(),
  };
}

export interface CloudWorld {
  readonly cloud: RunningLocalCloud;
  readonly adapters: HostAdapters;
  /** Environment for a host child: the cloud, the simulator, quiet logs, no EMF on stdout. */
  hostEnv(extra?: Readonly<Record<string, string>>): Record<string, string>;
  /**
   * What the API and a host that linked the device leave behind: a running session with stored creds, and with
   * `keys` (a BufferJSON `SignalDataSet`: prekeys, contacts' sessions) when given.
   */
  seedSession(creds: string, tenantId?: string, keys?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startCloudWorld(sim: WhatsAppSimulator): Promise<CloudWorld> {
  const cloud = await startLocalCloud({ setEnv: false, stackFile: false, log: silentLog });
  const base: Record<string, string> = {
    ...cloud.env,
    APP_WA_URL: sim.wsUrl,
    APP_WA_ROOT_PUBLIC_KEY: sim.rootPublicKey,
    APP_METRICS: 'false',
    APP_HEALTH_PORT: '0',
    APP_LOG_LEVEL: process.env['BENCH_HOST_LOG'] ?? 'error',
    APP_BAILEYS_LOG_LEVEL: 'silent',
  };
  const config = loadHostConfig(base);
  const { stack } = cloud;
  const adapters = composeHostAdapters(
    config.app,
    createHostLogger({ level: 'silent' }),
    localClientOptions(stack),
  );
  return {
    cloud,
    adapters,
    hostEnv: (extra = {}) => ({ ...base, ...extra }),
    async seedSession(serialized, tenantId = newId(), keys) {
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
          TableName: physicalTableName(stack.prefix, 'sessions'),
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
      auth.updateCreds(JSON.parse(serialized, BufferJSON.reviver) as AuthenticationCreds);
      if (keys) await auth.state.keys.set(JSON.parse(keys, BufferJSON.reviver) as SignalDataSet);
      await auth.flush();
      auth.close();
      await adapters.sessions.release(id, seeder);
      await adapters.sessions.setDesired(tenantId, id, 'running');
      return id;
    },
    async stop() {
      adapters.destroy();
      await cloud.stop();
    },
  };
}
