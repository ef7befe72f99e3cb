/**
 * The whole product on one machine, for `npm start` and the end-to-end tests: the local cloud (API, WebSocket,
 * workers, emulators), optionally the WhatsApp simulator, N session host processes pointed at it, and a ready
 * tenant created through the API itself with the operator key.
 *
 * Hosts run as child processes (`session-host/main.ts` under tsx), as they would run as separate Fargate tasks:
 * a test can SIGKILL one and watch another take its sessions over.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { generateApiKey } from '../shared/domain/api-key.js';
import { WhatsAppSimulator } from '../simulator/index.js';
import { type LocalCloudPorts, type LocalStack, type RunningLocalCloud, startLocalCloud } from './cloud.js';
import { DEFAULT_ROOT } from './http-gateway.js';
import { consoleLog, type LocalLog } from './log.js';

export interface LocalProductOptions {
  readonly root?: string;
  readonly prefix?: string;
  readonly ports?: LocalCloudPorts & { readonly simulator?: number };
  /** Start the WhatsApp simulator and point the hosts at it. */
  readonly simulator?: boolean;
  /** Session host processes to run; default 1 when the simulator runs, else 0 (no WhatsApp to talk to). */
  readonly hosts?: number;
  /** Extra environment for every host (capacity, timings in tests). */
  readonly hostEnv?: Readonly<Record<string, string>>;
  /** Where hosts' output goes; default: inherited (npm start), `'ignore'` or a log file in tests. */
  readonly hostOutput?: 'inherit' | 'ignore' | 'pipe';
  /** Create a tenant and an API key through the API. Default true. */
  readonly seedTenant?: boolean;
  readonly stackFile?: string | false;
  readonly log?: LocalLog;
  /** Extra environment for the local cloud's handlers and workers (webhook retry settings in tests). */
  readonly cloudEnv?: Readonly<Record<string, string>>;
  /** The browser console: built on first request (default), rebuilt on change (`'watch'`), or not served. */
  readonly console?: boolean | 'watch';
}

export interface RunningHost {
  readonly hostId: string;
  readonly process: ChildProcess;
  readonly pid: number;
}

/** `.local/stack.json` for the whole product: the cloud's endpoints plus what a user needs to call the API. */
export interface LocalProductStack extends LocalStack {
  readonly apiUrl: string;
  readonly consoleUrl: string;
  /** Local only: the operator key that creates tenants (its hash is what the authorizer knows). */
  readonly operatorKey: string;
  readonly tenantId?: string;
  readonly tenantApiKey?: string;
  readonly simulator?: {
    readonly wsUrl: string;
    readonly controlUrl: string;
    readonly rootPublicKey: string;
    readonly mediaHost: string;
  };
  readonly hostPids: readonly number[];
}

export interface RunningLocalProduct {
  readonly stack: LocalProductStack;
  readonly cloud: RunningLocalCloud;
  readonly simulator: WhatsAppSimulator | undefined;
  readonly hosts: readonly RunningHost[];
  /** Starts one more host process (failover tests). */
  startHost(hostId?: string, env?: Readonly<Record<string, string>>): RunningHost;
  /** Stops one host: SIGTERM (graceful: leases released) or SIGKILL (a crash: leases expire). */
  stopHost(host: RunningHost, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  stop(): Promise<void>;
}

const CreatedTenantSchema = z.object({
  tenant: z.object({ id: z.string() }),
  apiKey: z.object({ key: z.string() }),
});

export async function startLocalProduct(options: LocalProductOptions = {}): Promise<RunningLocalProduct> {
  const root = options.root ?? DEFAULT_ROOT;
  const log = options.log ?? consoleLog;
  const operator = generateApiKey();
  const cloud = await startLocalCloud({
    root,
    prefix: options.prefix,
    ports: options.ports,
    stackFile: false,
    log,
    ...(options.console !== undefined ? { console: options.console } : {}),
    env: { ...options.cloudEnv, APP_OPERATOR_KEY_HASH: operator.hash },
  });
  const stops: (() => Promise<void>)[] = [cloud.stop];
  const hosts: RunningHost[] = [];
  const stopAll = async () => {
    await Promise.all(hosts.splice(0).map((h) => stopChild(h.process, 'SIGTERM')));
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => log('warn', 'a local service did not stop cleanly', { error }));
    }
  };

  try {
    let simulator: WhatsAppSimulator | undefined;
    if (options.simulator) {
      simulator = new WhatsAppSimulator();
      await simulator.start({ port: options.ports?.simulator ?? 0, host: '127.0.0.1' });
      const sim = simulator;
      stops.push(() => sim.stop());
    }

    const baseHostEnv: Record<string, string> = {
      ...cloud.env,
      ...(simulator
        ? {
            APP_WA_URL: simulator.wsUrl,
            APP_WA_ROOT_PUBLIC_KEY: simulator.rootPublicKey,
            // The simulator's media host has a self-signed certificate: hosts trust it for uploads (local mode).
            APP_WA_MEDIA_CA: simulator.mediaCaPem,
          }
        : {}),
      ...options.hostEnv,
    };
    let hostSeq = 0;
    const startHost = (hostId?: string, env: Readonly<Record<string, string>> = {}): RunningHost => {
      const id = hostId ?? `local-host-${process.pid}-${++hostSeq}`;
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'session-host', 'main.ts')], {
        cwd: root,
        env: { ...process.env, ...baseHostEnv, APP_HOST_ID: id, ...env },
        stdio: ['ignore', options.hostOutput ?? 'inherit', options.hostOutput ?? 'inherit'],
      });
      if (child.pid === undefined) throw new Error('session host process did not start');
      const host: RunningHost = { hostId: id, process: child, pid: child.pid };
      hosts.push(host);
      return host;
    };
    const stopHost = async (host: RunningHost, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
      const index = hosts.indexOf(host);
      if (index >= 0) hosts.splice(index, 1);
      await stopChild(host.process, signal);
    };
    const hostCount = options.hosts ?? (simulator ? 1 : 0);
    for (let i = 0; i < hostCount; i++) startHost();

    const apiUrl = cloud.stack.httpUrl;
    const seeded = (options.seedTenant ?? true) ? await seedTenant(apiUrl, operator.key) : undefined;
    const stack: LocalProductStack = {
      ...cloud.stack,
      apiUrl,
      consoleUrl: `${apiUrl}/console/`,
      operatorKey: operator.key,
      ...(seeded ? { tenantId: seeded.tenant.id, tenantApiKey: seeded.apiKey.key } : {}),
      ...(simulator
        ? {
            simulator: {
              wsUrl: simulator.wsUrl,
              controlUrl: simulator.controlUrl,
              rootPublicKey: simulator.rootPublicKey,
              mediaHost: simulator.mediaHost,
            },
          }
        : {}),
      get hostPids() {
        return hosts.map((h) => h.pid);
      },
    };
    const stackFile = options.stackFile ?? join(root, '.local', 'stack.json');
    if (stackFile) await writeStackFile(stackFile, stack);
    return { stack, cloud, simulator, hosts, startHost, stopHost, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The first tenant, made the way an operator would: `POST /v1/tenants` with the operator key. */
async function seedTenant(apiUrl: string, operatorKey: string): Promise<z.infer<typeof CreatedTenantSchema>> {
  const response = await fetch(`${apiUrl}/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Local tenant' }),
  });
  const body: unknown = await response.json();
  if (response.status !== 201)
    throw new Error(`seeding the tenant failed: ${response.status} ${JSON.stringify(body)}`);
  return CreatedTenantSchema.parse(body);
}

function stopChild(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A host that does not finish its graceful stop in time is killed: tests and Ctrl-C must end.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

async function writeStackFile(path: string, stack: LocalProductStack): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(stack, null, 2)}\n`);
  await rename(temporary, path);
}
