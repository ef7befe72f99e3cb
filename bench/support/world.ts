/**
 * What every benchmark runs against, in the parent process: the WhatsApp simulator (so arrivals in a
 * contact's inbox are timed where they happen), and for the host side the local cloud (DynamoDB Local, fauxqs,
 * KMS stand-in, EventBridge) with adapters to seed sessions the way the API and a previous host would leave them.
 */
import { BufferJSON } from '@whiskeysockets/baileys';
import { startLocalCloud, type RunningLocalCloud } from '../../local/cloud.js';
import { localClientOptions } from '../../local/local-aws.js';
import { silentLog } from '../../local/log.js';
import { composeHostAdapters, type HostAdapters } from '../../session-host/compose.js';
import { loadHostConfig } from '../../session-host/config.js';
import { createHostLogger } from '../../session-host/logger.js';
import { provisionLinkedDevice } from '../../simulator/provision.js';
import { WhatsAppSimulator } from '../../simulator/index.js';
import { seedLinkedSession } from './seed-session.js';

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
  // A stanza the simulator failed on (a contact's phone that could not decrypt a copy) drops the connection and
  // the copy: say so, or a run waits on a message that can never arrive.
  sim.events.on('problem', ({ connectionId, error }) =>
    process.stderr.write(
      `${JSON.stringify({ simulatorProblem: String(error), stack: error instanceof Error ? error.stack?.split('\n').slice(0, 6) : undefined, connectionId })}\n`,
    ),
  );
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
   * `keys` (a BufferJSON `SignalDataSet`: prekeys, contacts' sessions) when given; left `stopped` on request.
   */
  seedSession(
    creds: string,
    tenantId?: string,
    keys?: string,
    desired?: 'running' | 'stopped',
  ): Promise<string>;
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
    seedSession: (serialized, tenantId, keys, desired) =>
      seedLinkedSession(adapters, stack.prefix, serialized, tenantId, keys, desired),
    async stop() {
      adapters.destroy();
      await cloud.stop();
    },
  };
}
