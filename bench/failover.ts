/**
 * Failover: time from SIGKILL of the process holding N connected sessions to all N being connected again in
 * another process, session host vs bare Baileys (the baseline, same simulator, same run); and the graceful
 * handover (the host's own stop, as on SIGTERM) with messages sent throughout.
 *
 *   npx tsx bench/failover.ts [--sessions 20,50] [--lease-ms 10000] [--renew-ms 3000]
 *                             [--claim-interval-ms 2000] [--claim-jitter-ms 1000] [--connect-concurrency N]
 *                             [--sides baseline,host-before,host,handover] [--message-every-ms 50]
 *                             [--contacts 0]
 *
 * `host`: hosts A and B run as separate processes with the production timings (overridable above); A owns the N
 * sessions, B is idle. A is SIGKILLed (a crashed task: no release); the clock stops when B reports all N
 * `connected`. Per-session times are the simulator's login events after the kill. `cpuMsPerSession`: the
 * surviving process's CPU time (user + system) from the kill to all N connected, per session (both sides). `host-before` is the same
 * with the host as it was before issue #14's failover work, by configuration: no dead-host release
 * (APP_DEAD_HOST_AFTER_MS=0: the leases must expire), one claim write at a time (APP_CLAIM_CONCURRENCY=1) and
 * the earlier fixed 4 connect handshakes (APP_CONNECT_CONCURRENCY=4).
 * `handover`: A is stopped gracefully (the `exit` request runs `host.stop()`, what main.ts does on SIGTERM)
 * while the parent sends one message every `--message-every-ms` round-robin over the sessions, as the API does
 * (item written, owner rung), with send pacing off on both hosts (the delays are the handover's, not the
 * anti-ban gap's); messages written in the second before the stop are the same-run control. Reported: all N connected on B, each session's gap (its socket's close on A to
 * its login on B, from the simulator), and each message's delay from its write to the contact's inbox.
 * Baseline: process A holds N bare sockets, process B is started and idle; at the kill, B is handed the same
 * creds at once. That is the physical floor (reconnect + login, no failure detection, no lease), not a design.
 * `--contacts N` (default 0: provisioned devices, no keys) gives every session a busy device's key state (812
 * prekeys, Signal sessions with N contacts; bench/support/realistic-keys.ts, as in bench:density): stored with the
 * host sides' credentials before host A starts them, held in memory by both bare processes (B parses each
 * session's copy as it connects, inside its clock, as a bare process restoring a busy account would).
 */
import { HostDoorbell } from '../shared/services/host-doorbell.js';
import { newId } from '../shared/domain/ids.js';
import { enqueueText } from './support/enqueue.js';
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
import { startCloudWorld, startSimWorld, type CloudWorld, type SimWorld } from './support/world.js';
import { buildRealisticKeys } from './support/realistic-keys.js';
import { BufferJSON } from '@whiskeysockets/baileys';

const BENCH = 'failover';
const sizes = numbersArgument('sessions', [20, 50]);
const sides = argument('sides', 'baseline,host-before,host,handover').split(',');
const connectConcurrency = argument('connect-concurrency', '');
const messageEveryMs = Number(argument('message-every-ms', '50'));
const contacts = Number(argument('contacts', '0'));
let realisticKeys: Promise<string | undefined> | undefined;
/** The realistic key state (BufferJSON), built once per run; none with `--contacts 0`. */
const keysOf = (): Promise<string | undefined> =>
  (realisticKeys ??=
    contacts > 0
      ? buildRealisticKeys(contacts).then((set) => JSON.stringify(set, BufferJSON.replacer))
      : Promise.resolve(undefined));
const timings: Record<string, string> = {
  APP_LEASE_MS: argument('lease-ms', '10000'),
  APP_LEASE_RENEW_MS: argument('renew-ms', '3000'),
  APP_CLAIM_INTERVAL_MS: argument('claim-interval-ms', '2000'),
  APP_CLAIM_JITTER_MS: argument('claim-jitter-ms', '1000'),
  // Default: the host's own (APP_CONNECT_CONCURRENCY unset: 4 per core, 4..16).
  ...(connectConcurrency ? { APP_CONNECT_CONCURRENCY: connectConcurrency } : {}),
};
/** The host before the #14 failover work, by configuration (see the header). */
const BEFORE: Record<string, string> = {
  APP_DEAD_HOST_AFTER_MS: '0',
  APP_CLAIM_CONCURRENCY: '1',
  APP_CONNECT_CONCURRENCY: '4',
};
const CONTACT = '+15550008888';

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
  const keys = await keysOf();
  const withKeys = keys ? { keys } : {};
  const a = new Child('bare-sockets.ts', world.bareEnv);
  const b = new Child('bare-sockets.ts', world.bareEnv);
  let killedAt = -1;
  const logins = loginsAfter(world, phones, () => killedAt);
  try {
    await Promise.all([a.next('ready'), b.next('ready')]);
    await a.request({ type: 'connect', creds, concurrency: 8, ...withKeys }, 'connected');
    await sleep(2000);
    const cpuBefore = await cpuMs(b);
    killedAt = Date.now();
    await a.stop('SIGKILL');
    const connected = await b.request({ type: 'connect', creds, concurrency: 8, ...withKeys }, 'connected');
    const allMs = Date.now() - killedAt;
    emit(BENCH, 'baseline', {
      contacts,
      sessions: connected.count,
      allConnectedMs: allMs,
      perSession: latencySummary(logins()),
      ...takeoverCpu(cpuBefore, await cpuMs(b), connected.count),
    });
  } finally {
    await a.stop('SIGKILL');
    await b.stop();
  }
}

/** CPU time (ms, user + system) the child has used so far. */
async function cpuMs(child: Child): Promise<number> {
  const cpu = await child.request({ type: 'cpu' }, 'cpu');
  return (cpu.userMicros + cpu.systemMicros) / 1000;
}

/**
 * The surviving process's CPU from the kill until all N were connected (includes its status polls and lease
 * renewals meanwhile): the figure a loaded machine does not stretch, unlike the wall time.
 */
function takeoverCpu(before: number, after: number, n: number) {
  return { cpuMs: Math.round(after - before), cpuMsPerSession: Math.round(((after - before) / n) * 10) / 10 };
}

interface Pair {
  readonly cloud: CloudWorld;
  readonly a: Child;
  readonly b: Child;
  readonly phones: string[];
  readonly ids: { sessionId: string; tenantId: string }[];
}

/** Host A with the N sessions connected, host B started and idle. */
async function pair(
  world: SimWorld,
  cloud: CloudWorld,
  run: number,
  n: number,
  extra: Record<string, string>,
): Promise<Pair> {
  const { phones, creds } = await world.provision(run, n);
  const env = (id: string) =>
    cloud.hostEnv({ ...timings, ...extra, APP_HOST_CAPACITY: String(n), APP_HOST_ID: id });
  const a = new Child('session-host.ts', env(`failover-${run}-a`));
  await a.next('ready');
  const tenantId = newId();
  const ids: { sessionId: string; tenantId: string }[] = [];
  const keys = await keysOf();
  for (const c of creds) ids.push({ sessionId: await cloud.seedSession(c, tenantId, keys), tenantId });
  for (;;) {
    const status = await a.request({ type: 'status' }, 'sessions');
    if (status.connected >= n) break;
    await sleep(250);
  }
  const b = new Child('session-host.ts', env(`failover-${run}-b`));
  await b.next('ready');
  await sleep(2000);
  return { cloud, a, b, phones, ids };
}

/**
 * Ends a side on the shared local cloud: its sessions set `desired = stopped` (so no later side's host claims
 * them), then both hosts gone.
 */
async function retire(p: Pair): Promise<void> {
  await p.a.stop('SIGKILL');
  for (const { sessionId, tenantId } of p.ids)
    await p.cloud.adapters.sessions.setDesired(tenantId, sessionId, 'stopped').catch(() => undefined);
  await p.b.stop();
}

/** Polls B until all N are connected; returns when the first and the last came. */
async function allOnB(b: Child, n: number, since: number): Promise<{ firstMs?: number; allMs: number }> {
  let firstMs: number | undefined;
  for (;;) {
    const status = await b.request({ type: 'status' }, 'sessions');
    if (status.connected > 0) firstMs ??= Date.now() - since;
    if (status.connected >= n)
      return { ...(firstMs !== undefined ? { firstMs } : {}), allMs: Date.now() - since };
    if (Date.now() - since > 10 * 60_000) throw new Error(`only ${status.connected}/${n} came back`);
    await sleep(100);
  }
}

async function host(world: SimWorld, cloud: CloudWorld, run: number, n: number, side: string): Promise<void> {
  const extra = side === 'host-before' ? BEFORE : {};
  const p = await pair(world, cloud, run, n, extra);
  let killedAt = -1;
  const logins = loginsAfter(world, p.phones, () => killedAt);
  try {
    const cpuBefore = await cpuMs(p.b);
    killedAt = Date.now();
    await p.a.stop('SIGKILL');
    const { firstMs, allMs } = await allOnB(p.b, n, killedAt);
    const cpu = takeoverCpu(cpuBefore, await cpuMs(p.b), n);
    emit(BENCH, 'host', {
      contacts,
      ...cpu,
      variant: side === 'host-before' ? 'before' : 'after',
      sessions: n,
      allConnectedMs: allMs,
      firstConnectedMs: firstMs,
      perSession: latencySummary(logins()),
      leaseMs: Number(timings.APP_LEASE_MS),
      claimIntervalMs: Number(timings.APP_CLAIM_INTERVAL_MS),
      claimJitterMs: Number(timings.APP_CLAIM_JITTER_MS),
      config: { ...extra, ...(connectConcurrency ? { APP_CONNECT_CONCURRENCY: connectConcurrency } : {}) },
    });
  } finally {
    await retire(p);
  }
}

/** Each session's gap: its close on the stopping host to its next login (on the heir), from the simulator. */
function gapsAfter(world: SimWorld, phones: readonly string[], since: () => number): () => number[] {
  const wanted = new Set(phones);
  const closed = new Map<string, number>();
  const gaps = new Map<string, number>();
  world.sim.events.on('disconnect', (d) => {
    if (since() >= 0 && d.phone && wanted.has(d.phone) && !closed.has(d.phone))
      closed.set(d.phone, Date.now());
  });
  world.sim.events.on('login', (login) => {
    const at = closed.get(login.phone);
    if (at !== undefined && !gaps.has(login.phone)) gaps.set(login.phone, Date.now() - at);
  });
  return () => [...gaps.values()];
}

/** Sends unpaced in the handover side, so message delays are the handover's, not the anti-ban gap's. */
const UNPACED: Record<string, string> = { APP_SEND_MIN_GAP_MS: '0', APP_SEND_JITTER_MS: '0' };

async function handover(world: SimWorld, cloud: CloudWorld, run: number, n: number): Promise<void> {
  const p = await pair(world, cloud, run, n, UNPACED);
  const doorbell = new HostDoorbell(p.cloud.adapters.commandQueue, { warn: (m, f) => progress(m, f) });
  let stoppedAt = -1;
  const gaps = gapsAfter(world, p.phones, () => stoppedAt);
  const written = new Map<string, number>();
  const arrived = new Map<string, number>();
  const onMessage = ({ contact, entry }: { contact: string; entry: { text?: string } }): void => {
    if (CONTACT.endsWith(contact.replace(/^\+/, '')) && entry.text && written.has(entry.text))
      arrived.set(entry.text, Date.now());
  };
  world.sim.events.on('message', onMessage);
  let sending = true;
  const sender = (async () => {
    for (let i = 0; sending; i++) {
      const text = `handover ${run} ${i}`;
      written.set(text, Date.now());
      await enqueueText(p.cloud, doorbell, p.ids[i % p.ids.length]!, CONTACT, text);
      await sleep(messageEveryMs);
    }
  })();
  try {
    await sleep(2000);
    stoppedAt = Date.now();
    const stopped = p.a.stop('exit');
    const { firstMs, allMs } = await allOnB(p.b, n, stoppedAt);
    await stopped;
    const stopMs = Date.now() - stoppedAt;
    await sleep(1000);
    sending = false;
    await sender;
    const deadline = Date.now() + 60_000;
    while (arrived.size < written.size && Date.now() < deadline) await sleep(200);
    const delays = (from: number, to: number) =>
      [...written]
        .filter(([, at]) => at >= from && at < to)
        .map(([text, at]) => (arrived.get(text) ?? Number.NaN) - at);
    const before = delays(0, stoppedAt);
    const during = delays(stoppedAt, Number.POSITIVE_INFINITY);
    emit(BENCH, 'host', {
      contacts,
      variant: 'handover',
      sessions: n,
      allConnectedOnHeirMs: allMs,
      firstConnectedMs: firstMs,
      stopMs,
      gapPerSession: latencySummary(gaps()),
      messages: written.size,
      messagesArrived: arrived.size,
      // Same run, same sessions, before the stop: the control for the delays during the handover.
      messageDelayBeforeStop: latencySummary(before.filter((d) => Number.isFinite(d))),
      messagesDuringHandover: during.length,
      messagesDuringHandoverOver2s: during.filter((d) => !(d <= 2000)).length,
      messageDelayDuringHandover: latencySummary(during.filter((d) => Number.isFinite(d))),
      messageEveryMs,
    });
  } finally {
    sending = false;
    world.sim.events.off('message', onMessage);
    await retire(p);
  }
}

emitMachine(BENCH);
const world = await startSimWorld();
world.sim.addContact(CONTACT, 'Bench');
// One local cloud for every host side of the run (each side retires its sessions): starting DynamoDB Local's
// JVM once is both quicker and kinder to a loaded machine.
let cloudWorld: Promise<CloudWorld> | undefined;
const shared = (): Promise<CloudWorld> => (cloudWorld ??= startCloudWorld(world.sim));
try {
  let run = 20;
  for (const n of sizes) {
    for (const side of sides) {
      run++;
      progress(`${side}: ${n} sessions`);
      if (side === 'baseline') await baseline(world, run, n);
      else if (side === 'host' || side === 'host-before') await host(world, await shared(), run, n, side);
      else if (side === 'handover') await handover(world, await shared(), run, n);
      else throw new Error(`unknown side ${side}`);
    }
  }
} finally {
  if (cloudWorld) await (await cloudWorld).stop();
  await world.stop();
}
