/**
 * Failover: time from SIGKILL of the process holding N connected sessions to all N being connected again in
 * another process, session host vs bare Baileys (the baseline, same simulator, same run).
 *
 *   npx tsx bench/failover.ts [--sessions 20,50] [--lease-ms 10000] [--renew-ms 3000]
 *                             [--claim-interval-ms 2000] [--claim-jitter-ms 1000] [--connect-concurrency N]
 *                             [--sides baseline,host]
 *
 * Host: hosts A and B run as separate processes with the production lease timings (overridable above); A owns
 * the N sessions, B is idle. A is SIGKILLed (a crashed task: no release, leases must expire); the clock stops
 * when B reports all N `connected`. Per-session times are the simulator's login events after the kill.
 * Baseline: process A holds N bare sockets, process B is started and idle; at the kill, B is handed the same
 * creds at once. That is the physical floor (reconnect + login, no failure detection, no lease), not a design.
 */
import { Child } from './support/ipc.js';
import {
  argument,
  emit,
  emitMachine,
  latencySummary,
  numbersArgument,
  progress,
  sleep,
} from './support/figures.js';
import { startCloudWorld, startSimWorld, type SimWorld } from './support/world.js';

const BENCH = 'failover';
const sizes = numbersArgument('sessions', [20, 50]);
const sides = argument('sides', 'baseline,host').split(',');
const connectConcurrency = argument('connect-concurrency', '');
const timings: Record<string, string> = {
  APP_LEASE_MS: argument('lease-ms', '10000'),
  APP_LEASE_RENEW_MS: argument('renew-ms', '3000'),
  APP_CLAIM_INTERVAL_MS: argument('claim-interval-ms', '2000'),
  APP_CLAIM_JITTER_MS: argument('claim-jitter-ms', '1000'),
  // Default: the host's own (APP_CONNECT_CONCURRENCY unset: 4 per core, 4..16).
  ...(connectConcurrency ? { APP_CONNECT_CONCURRENCY: connectConcurrency } : {}),
};

/** Simulator login times (ms after `since`) of the given phones, until each has logged in once. */
function loginsAfter(world: SimWorld, phones: readonly string[], since: () => number): () => number[] {
  const wanted = new Set(phones);
  const times = new Map<string, number>();
  world.sim.events.on('login', (login) => {
    const at = since();
    if (at >= 0 && wanted.has(login.phone) && !times.has(login.phone))
      times.set(login.phone, Date.now() - at);
  });
  return () => [...times.values()];
}

async function baseline(world: SimWorld, run: number, n: number): Promise<void> {
  const { phones, creds } = await world.provision(run, n);
  const a = new Child('bare-sockets.ts', world.bareEnv);
  const b = new Child('bare-sockets.ts', world.bareEnv);
  let killedAt = -1;
  const logins = loginsAfter(world, phones, () => killedAt);
  try {
    await Promise.all([a.next('ready'), b.next('ready')]);
    await a.request({ type: 'connect', creds, concurrency: 8 }, 'connected');
    await sleep(2000);
    killedAt = Date.now();
    await a.stop('SIGKILL');
    const connected = await b.request({ type: 'connect', creds, concurrency: 8 }, 'connected');
    const allMs = Date.now() - killedAt;
    emit(BENCH, 'baseline', {
      sessions: connected.count,
      allConnectedMs: allMs,
      perSession: latencySummary(logins()),
    });
  } finally {
    await a.stop('SIGKILL');
    await b.stop();
  }
}

async function host(world: SimWorld, run: number, n: number): Promise<void> {
  const { phones, creds } = await world.provision(run, n);
  const cloud = await startCloudWorld(world.sim);
  const env = (id: string) => cloud.hostEnv({ ...timings, APP_HOST_CAPACITY: String(n), APP_HOST_ID: id });
  const a = new Child('session-host.ts', env(`failover-${run}-a`));
  let b: Child | undefined;
  let killedAt = -1;
  const logins = loginsAfter(world, phones, () => killedAt);
  try {
    await a.next('ready');
    for (const c of creds) await cloud.seedSession(c);
    for (;;) {
      const status = await a.request({ type: 'status' }, 'sessions');
      if (status.connected >= n) break;
      await sleep(250);
    }
    b = new Child('session-host.ts', env(`failover-${run}-b`));
    await b.next('ready');
    await sleep(2000);
    killedAt = Date.now();
    await a.stop('SIGKILL');
    let firstMs: number | undefined;
    for (;;) {
      const status = await b.request({ type: 'status' }, 'sessions');
      if (status.connected > 0) firstMs ??= Date.now() - killedAt;
      if (status.connected >= n) break;
      if (Date.now() - killedAt > 10 * 60_000) throw new Error(`only ${status.connected}/${n} came back`);
      await sleep(100);
    }
    emit(BENCH, 'host', {
      sessions: n,
      allConnectedMs: Date.now() - killedAt,
      firstConnectedMs: firstMs,
      perSession: latencySummary(logins()),
      leaseMs: Number(timings.APP_LEASE_MS),
      claimIntervalMs: Number(timings.APP_CLAIM_INTERVAL_MS),
      claimJitterMs: Number(timings.APP_CLAIM_JITTER_MS),
      connectConcurrency: connectConcurrency ? Number(connectConcurrency) : 'default',
    });
  } finally {
    await a.stop('SIGKILL');
    await b?.stop();
    await cloud.stop();
  }
}

emitMachine(BENCH);
const world = await startSimWorld();
try {
  let run = 20;
  for (const n of sizes) {
    for (const side of sides) {
      run++;
      progress(`${side}: ${n} sessions`);
      if (side === 'baseline') await baseline(world, run, n);
      else if (side === 'host') await host(world, run, n);
      else throw new Error(`unknown side ${side}`);
    }
  }
} finally {
  await world.stop();
}
