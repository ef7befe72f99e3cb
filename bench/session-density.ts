/**
 * Session density: resident memory and V8 heap per connected, idle WhatsApp session, for N sessions in ONE
 * process, session host vs bare Baileys sockets on the same simulator (the baseline, same run, same Node).
 *
 *   npx tsx bench/session-density.ts [--sessions 50,200] [--settle-ms 5000] [--contacts 1000]
 *        [--sides baseline,host,host-bundle,host-bundle-sourcemaps,baseline-realistic,host-realistic,
 *                 baseline-group,host-group] [--group-size 50] [--posters 49]
 *
 * Each side runs in a fresh child process started with --expose-gc; memory is read after two full GCs, once
 * with no session (the process's own cost: Baileys, and for the host the AWS SDK, adapters, timers) and once
 * with N connected sessions that have gone quiet. Per-session figures are (with N - without) / N.
 * Devices are provisioned (no QR: pairing is CPU-bound and is not what this measures). `host-bundle` is the host
 * built like the production image (esbuild bundle with the Dockerfile's options, plain Node): its idle figures
 * are the ones a Fargate task has; `host` and `baseline` run under tsx. `host-bundle-sourcemaps` is the same with
 * `--enable-source-maps` (what it costs to keep TypeScript positions in stack traces).
 *
 * Connect time: the bare side times its sockets' connects; the host side seeds every session first (stored
 * credentials, left stopped: `seedAllMs`), then starts them all at once and times the host's claims and logins
 * until all are connected (`connectAllMs`; `loginAfterStart`: the simulator's login times from that start).
 *
 * The provisioned devices carry no prekeys and no contacts, which undercounts a real account. The realistic
 * sides (`baseline-realistic`, `host-realistic`) give every session the key state of a busy device: the 812
 * prekeys Baileys uploads after pairing and an established Signal session with each of `--contacts` contacts
 * (bench/support/realistic-keys.ts: built once per run by Baileys' own `injectE2ESession`, each session holding
 * its own parsed copy). The host side stores them with the credentials as a previous host would have.
 *
 * Group sides (issue #16: `baseline-group`, `host-group`, `--group-size 50 --posters 49`): every session's account
 * is in a group of `--group-size` members (its own group; the same contacts fill every group), and `--posters` of
 * those contacts post once in each group once the sessions are connected, so each session holds that many
 * contacts' sender keys (and the Signal sessions they came over) and the group's metadata. Memory is read after
 * every session acknowledged every post (its receipt) and the settle time.
 */
import { bundleChild } from './support/bundle.js';
import { Child, type Memory } from './support/ipc.js';
import {
  argument,
  emit,
  emitMachine,
  latencySummary,
  mib,
  numbersArgument,
  progress,
  round,
  sleep,
} from './support/figures.js';
import { BufferJSON } from '@whiskeysockets/baileys';
import { contactsPost, createBenchGroup, GroupReceipts, type BenchGroup } from './support/groups.js';
import { buildRealisticKeys } from './support/realistic-keys.js';
import { forEachBounded, mapBounded } from '../session-host/bounded-pool.js';
import { newId } from '../shared/domain/ids.js';
import { startCloudWorld, startSimWorld, type SimWorld } from './support/world.js';

const BENCH = 'session-density';
const sizes = numbersArgument('sessions', [50, 200]);
const settleMs = Number(argument('settle-ms', '5000'));
const sides = argument('sides', 'baseline,host,host-bundle').split(',');
const contacts = Number(argument('contacts', '1000'));
const groupSize = Number(argument('group-size', '50'));
const posters = Number(argument('posters', String(groupSize - 1)));
/** Sessions seeded at once (each its own lease fence, so they do not conflict); outside the connect clock. */
const SEED_CONCURRENCY = 4;
let realisticKeys: Promise<string> | undefined;
/** The realistic key state, serialized (BufferJSON), built on first use. */
const realistic = (): Promise<string> =>
  (realisticKeys ??= buildRealisticKeys(contacts).then((set) => {
    const json = JSON.stringify(set, BufferJSON.replacer);
    progress(
      `realistic keys: ${contacts} contact sessions + prekeys, ${Math.round(json.length / 1024)} KiB of JSON`,
    );
    return json;
  }));

function perSession(before: Memory, after: Memory, n: number): Record<string, number> {
  return {
    rssPerSessionMiB: round(mib(after.rss - before.rss) / n, 3),
    heapPerSessionMiB: round(mib(after.heapUsed - before.heapUsed) / n, 3),
    externalPerSessionMiB: round(mib(after.external - before.external) / n, 3),
    rssIdleMiB: mib(before.rss),
    heapIdleMiB: mib(before.heapUsed),
    rssWithSessionsMiB: mib(after.rss),
    heapWithSessionsMiB: mib(after.heapUsed),
  };
}

/** One group per account (the same contacts in each); nothing is posted yet. */
function groupsFor(world: SimWorld, run: number, phones: readonly string[]): BenchGroup[] {
  return phones.map((phone) => {
    const group = createBenchGroup(world.sim, run, 0, [phone], groupSize);
    return { jid: group.jid, contacts: group.contacts.slice(0, posters) };
  });
}

/** The posters post once in each group; resolves when every session acknowledged every post. */
async function postInGroups(world: SimWorld, phones: readonly string[], groups: readonly BenchGroup[]) {
  const receipts = new GroupReceipts(world.sim, new Set(phones));
  const started = Date.now();
  let posts = 0;
  try {
    for (const group of groups) posts += await contactsPost(world.sim, group);
    const acknowledged = await receipts.atLeast(posts, 10 * 60_000);
    return { groupSize, posters, posts, acknowledged, postAllMs: Date.now() - started };
  } finally {
    receipts.stop();
  }
}

async function baseline(
  world: SimWorld,
  run: number,
  n: number,
  keys?: string,
  group = false,
): Promise<void> {
  const { creds, phones } = await world.provision(run, n);
  const groups = group ? groupsFor(world, run, phones) : [];
  const child = new Child('bare-sockets.ts', world.bareEnv);
  try {
    const { memory: before } = await child.next('ready');
    const connected = await child.request(
      { type: 'connect', creds, concurrency: 8, ...(keys ? { keys } : {}) },
      'connected',
    );
    const groupFigures = group ? { group: await postInGroups(world, phones, groups) } : {};
    await sleep(settleMs);
    const { memory: after, sessions } = await child.request({ type: 'measure' }, 'memory');
    emit(BENCH, 'baseline', {
      sessions,
      ...groupFigures,
      ...(keys ? { realistic: { contacts, keysJsonKiB: Math.round(keys.length / 1024) } } : {}),
      connectAllMs: connected.elapsedMs,
      ...perSession(before, after, n),
    });
  } finally {
    await child.stop();
  }
}

/** `bundled`: the host child built like the production image (one esbuild bundle, plain Node, no tsx). */
async function host(
  world: SimWorld,
  run: number,
  n: number,
  bundled = false,
  nodeOptions: readonly string[] = [],
  keys?: string,
  group = false,
): Promise<void> {
  const { creds, phones } = await world.provision(run, n);
  const groups = group ? groupsFor(world, run, phones) : [];
  const cloud = await startCloudWorld(world.sim);
  const script = bundled ? await bundleChild('session-host.ts') : 'session-host.ts';
  const child = new Child(
    script,
    cloud.hostEnv({ APP_HOST_CAPACITY: String(n), APP_HOST_ID: `density-${run}` }),
    nodeOptions,
  );
  try {
    const { memory: before } = await child.next('ready');
    // Seeded first, left stopped, then started together: the connect clock holds the host's claims and logins
    // only. Seeding a realistic session writes its ~1,800 key items (~19 fenced transactions); inside the clock,
    // one session after another, that was most of the host's realistic connect time (docs/benchmarks.md).
    const seeding = Date.now();
    const seeded = await mapBounded(creds, SEED_CONCURRENCY, async (c) => {
      const tenantId = newId();
      return { tenantId, sessionId: await cloud.seedSession(c, tenantId, keys, 'stopped') };
    });
    const seedAllMs = Date.now() - seeding;
    const logins = new Map<string, number>();
    const wanted = new Set(phones);
    const onLogin = ({ phone }: { phone: string }): void => {
      if (wanted.has(phone) && !logins.has(phone)) logins.set(phone, Date.now() - started);
    };
    const started = Date.now();
    world.sim.events.on('login', onLogin);
    try {
      await forEachBounded(seeded, SEED_CONCURRENCY, async ({ tenantId, sessionId }) => {
        await cloud.adapters.sessions.setDesired(tenantId, sessionId, 'running');
      });
      for (;;) {
        const status = await child.request({ type: 'status' }, 'sessions');
        if (status.connected >= n) break;
        if (Date.now() - started > 15 * 60_000) throw new Error(`only ${status.connected}/${n} connected`);
        await sleep(500);
      }
    } finally {
      world.sim.events.off('login', onLogin);
    }
    const connectAllMs = Date.now() - started;
    const groupFigures = group ? { group: await postInGroups(world, phones, groups) } : {};
    await sleep(settleMs);
    const { memory: after, sessions } = await child.request({ type: 'measure' }, 'memory');
    emit(BENCH, 'host', {
      sessions,
      ...groupFigures,
      bundled,
      nodeOptions,
      ...(keys ? { realistic: { contacts, keysJsonKiB: Math.round(keys.length / 1024) } } : {}),
      seedAllMs,
      connectAllMs,
      loginAfterStart: latencySummary([...logins.values()]),
      ...perSession(before, after, n),
    });
  } finally {
    await child.stop();
    await cloud.stop();
  }
}

emitMachine(BENCH);
const world = await startSimWorld();
try {
  let run = 0;
  for (const n of sizes) {
    for (const side of sides) {
      run++;
      progress(`${side}: ${n} sessions`);
      if (side === 'baseline') await baseline(world, run, n);
      else if (side === 'host') await host(world, run, n);
      else if (side === 'host-bundle') await host(world, run, n, true);
      else if (side === 'host-bundle-sourcemaps') await host(world, run, n, true, ['--enable-source-maps']);
      else if (side === 'baseline-realistic') await baseline(world, run, n, await realistic());
      else if (side === 'host-realistic') await host(world, run, n, false, [], await realistic());
      else if (side === 'baseline-group') await baseline(world, run, n, undefined, true);
      else if (side === 'host-group') await host(world, run, n, false, [], undefined, true);
      else throw new Error(`unknown side ${side}`);
    }
  }
} finally {
  await world.stop();
}
