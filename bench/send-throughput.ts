/**
 * Send throughput and latency: from a queued message (the item written to DynamoDB as the API writes it, then
 * the doorbell on the owner host's queue) to the simulated contact's inbox, through the session host; baseline:
 * a bare `await sendMessage` loop on one socket (same simulator, same run). Arrivals are timed in this process,
 * where the simulator decrypts them.
 *
 *   npx tsx bench/send-throughput.ts [--messages 200] [--paced-messages 10] [--sessions 10]
 *        [--group-size 50] [--group-messages 50] [--idle-ms 10000] [--idle-sessions 1] [--warm-up true]
 *        [--scenarios baseline,host-single,host-unpaced,host-paced,host-many,baseline-group,host-group,host-idle]
 *
 * Scenarios: `host-single` one session, one message at a time (each waits for the previous to arrive; twice
 * `--paced-messages`), pacing off: the latency of the path itself; `host-unpaced` one session with pacing off (APP_SEND_MIN_GAP_MS=0, APP_SEND_JITTER_MS=0: the
 * host's own overhead); `host-paced` one session with the production pacing (the anti-ban gap, by design ~1
 * message per 1-2 s per session); `host-many` `--sessions` sessions sharing `--messages`, pacing off (fair
 * scheduling across sessions).
 *
 * Every scenario also reports `cpuMsPerMessage`: the CPU time (user + system, `process.cpuUsage()`) the process
 * doing the sending spent from just before the first message to the last arrival, divided by the messages. For
 * the host that is the whole host process (its sends, the DynamoDB and SQS calls around them, and its timers:
 * heartbeat, lease renewals, the command poll); for the baseline, the bare socket's loop. The simulator and
 * the local cloud run in other processes and are not counted. `host-idle` is the control for that: a connected
 * host with `--idle-sessions` connected sessions (default 1) and nothing to send, watched for `--idle-ms`; it
 * reports `cpuMs` and `cpuMsPerSecond` of its timers alone.
 *
 * `--runtime bundle` runs both children (the bare sockets and the host) as the production image runs the host: an
 * esbuild bundle under plain Node, no tsx and no source maps (session-host/Dockerfile). Under tsx every
 * `new Error().stack` is source-mapped, and Baileys takes one per stanza it sends (its `promiseTimeout`), so the
 * default `tsx` runtime charges both sides a cost production does not pay, the host more (it sends more stanzas
 * per message: receipts, acks). Figures of one runtime compare with the same runtime only.
 *
 * Group cases (issue #16, `--group-size 50 --group-messages 50`): the account is a member of a group of
 * `--group-size` (contacts fill it, one of them created it) and sends `--group-messages` texts to it,
 * `baseline-group` as a bare `await sendMessage` loop, `host-group` queued as the API does (pacing off). A text
 * has arrived when every contact's phone and the account's own phone decrypted it. Both also report the bytes
 * of the `<message>` stanzas the sender wrote: the first send carries the sender key to every member device.
 */
import { HostDoorbell } from '../shared/services/host-doorbell.js';
import { newId, nowIso } from '../shared/domain/ids.js';
import type { Message } from '../shared/domain/message.js';
import { phoneToJid } from '../shared/domain/phone.js';
import { bundleChild } from './support/bundle.js';
import { Child } from './support/ipc.js';
import { argument, emit, emitMachine, latencySummary, progress, round, sleep } from './support/figures.js';
import { createBenchGroup, groupArrivals, SentBytes } from './support/groups.js';
import { startCloudWorld, startSimWorld, type CloudWorld, type SimWorld } from './support/world.js';

const BENCH = 'send-throughput';
const messages = Number(argument('messages', '200'));
const pacedMessages = Number(argument('paced-messages', '10'));
const manySessions = Number(argument('sessions', '10'));
const scenarios = argument(
  'scenarios',
  'baseline,host-single,host-unpaced,host-paced,host-many,baseline-group,host-group',
).split(',');
const groupSize = Number(argument('group-size', '50'));
const groupMessages = Number(argument('group-messages', '50'));
const CONTACT = '+15550009999';
const runtime = argument('runtime', 'tsx');
/** A host that has not connected every seeded session by then fails the scenario instead of waiting forever. */
const CONNECT_TIMEOUT_MS = 120_000;
/** How long a scenario waits for its messages to reach the contact (a stuck one fails the run, named). */
const ARRIVAL_TIMEOUT_MS = 180_000;
if (runtime !== 'tsx' && runtime !== 'bundle') throw new Error(`--runtime is tsx or bundle, not ${runtime}`);
/** The child script as `--runtime` asks: the TypeScript source under tsx, or its production-style bundle. */
const childScript = (script: string): Promise<string> =>
  runtime === 'bundle' ? bundleChild(script) : Promise.resolve(script);
/** How long `host-idle` watches a connected host with nothing to send. */
const idleMs = Number(argument('idle-ms', '10000'));
const idleSessions = Number(argument('idle-sessions', '1'));
/**
 * `--warm-up`: before the clock, each session (bare or host) sends the contact one message and waits for it, so
 * the measured burst is steady state. Without it the first message of each session also pays the Signal session's
 * setup (device list, prekey bundle, X3DH): once in the one-socket baseline, once per session in `host-many`.
 */
const warmUp = argument('warm-up', 'false') === 'true';

/** Where a scenario sends: the contact, or a group it creates for the account (then arrivals are per group). */
interface Target {
  readonly to: string;
  readonly chatJid: string;
  arrivals(texts: readonly string[]): Promise<Map<string, number>>;
  /** Bytes the account's devices wrote per group message (group targets only). */
  readonly bytes?: SentBytes;
}

function contactTarget(world: SimWorld): Target {
  return { to: CONTACT, chatJid: phoneToJid(CONTACT), arrivals: (texts) => arrivals(world, texts) };
}

function groupTarget(world: SimWorld, run: number, phone: string): Target {
  const group = createBenchGroup(world.sim, run, 0, [phone], groupSize);
  return {
    to: group.jid,
    chatJid: group.jid,
    // Every contact's phone and the account's own phone decrypt each text.
    arrivals: (texts) => groupArrivals(world.sim, group.jid, texts, group.contacts.length + 1),
    bytes: new SentBytes(world.sim, phone),
  };
}

/** Resolves with arrival times (ms epoch) per text once every text reached the contact's inbox. */
function arrivals(world: SimWorld, texts: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(texts);
  const seen = new Map<string, number>();
  return new Promise((resolve) => {
    const listener = ({ contact, entry }: { contact: string; entry: { text?: string } }): void => {
      if (!CONTACT.endsWith(contact.replace(/^\+/, '')) || !entry.text || !wanted.has(entry.text)) return;
      seen.set(entry.text, Date.now());
      if (seen.size === wanted.size) {
        world.sim.events.off('message', listener);
        resolve(seen);
      }
    };
    world.sim.events.on('message', listener);
  });
}

/** CPU time (ms, user + system) the child has used so far. */
async function cpuMs(child: Child): Promise<number> {
  const cpu = await child.request({ type: 'cpu' }, 'cpu');
  return (cpu.userMicros + cpu.systemMicros) / 1000;
}

function cpuFigures(cpuBefore: number, cpuAfter: number, count: number) {
  return { cpuMs: round(cpuAfter - cpuBefore), cpuMsPerMessage: round((cpuAfter - cpuBefore) / count, 3) };
}

function figures(starts: readonly number[], texts: readonly string[], arrived: Map<string, number>) {
  const latencies = texts.map((t, i) => (arrived.get(t) ?? Number.NaN) - (starts[i] ?? Number.NaN));
  const spanMs = Math.max(...arrived.values()) - Math.min(...starts);
  return {
    messages: texts.length,
    spanMs,
    messagesPerSecond: round((texts.length / spanMs) * 1000),
    latency: latencySummary(latencies),
  };
}

async function baseline(world: SimWorld, run = 40, group = false): Promise<void> {
  const { creds, phones } = await world.provision(run, 1);
  const target = group ? groupTarget(world, run, phones[0] ?? '') : contactTarget(world);
  const count = group ? groupMessages : messages;
  const child = new Child(await childScript('bare-sockets.ts'), world.bareEnv);
  try {
    await child.next('ready');
    await child.request({ type: 'connect', creds, concurrency: 1 }, 'connected');
    await sleep(1000);
    if (warmUp) {
      const first = [`bare warm-up ${newId()}`];
      const warmed = target.arrivals(first);
      await child.request({ type: 'send', to: target.chatJid, texts: first }, 'sent');
      await warmed;
    }
    const texts = Array.from({ length: count }, (_, i) => `bare ${i} ${newId()}`);
    const arrived = target.arrivals(texts);
    const cpuBefore = await cpuMs(child);
    const sent = await child.request({ type: 'send', to: target.chatJid, texts }, 'sent');
    const arrivedAt = await arrived;
    const cpuAfter = await cpuMs(child);
    emit(BENCH, 'baseline', {
      scenario: group ? 'bare-loop-group' : 'bare-loop',
      sessions: 1,
      ...(group ? { groupSize } : {}),
      ...figures(sent.startedAt, texts, arrivedAt),
      ...cpuFigures(cpuBefore, cpuAfter, texts.length),
      ...target.bytes?.stop(),
    });
  } finally {
    await child.stop();
  }
}

/** The API's write: a `queued` message item, then the doorbell on the owner's queue. */
async function enqueue(
  cloud: CloudWorld,
  doorbell: HostDoorbell,
  sessionId: string,
  tenantId: string,
  text: string,
  target: Pick<Target, 'to' | 'chatJid'>,
) {
  const at = nowIso();
  const message: Message = {
    id: newId(),
    tenantId,
    sessionId,
    direction: 'outbound',
    chatJid: target.chatJid,
    to: target.to,
    type: 'text',
    content: { type: 'text', text: { body: text } },
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    createdAt: at,
    updatedAt: at,
  };
  await cloud.adapters.messages.create(message);
  const session = await cloud.adapters.sessions.getById(sessionId);
  if (!session) throw new Error(`session ${sessionId} is gone`);
  await doorbell.ring(session, {
    type: 'message.send',
    tenantId,
    sessionId,
    messageId: message.id,
    sentAt: at,
  });
  return message;
}

/**
 * `arrived`, or after `ARRIVAL_TIMEOUT_MS` an error naming the texts that never arrived with their messages' stored
 * status: a message lost on the way fails the run and says where it stopped, instead of hanging it.
 */
async function arrivedOrStuck(
  arrived: Promise<Map<string, number>>,
  texts: readonly string[],
  sent: ReadonlyMap<string, Message>,
  cloud: CloudWorld,
  world: SimWorld,
): Promise<Map<string, number>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>(
    (resolve) => (timer = setTimeout(() => resolve('late'), ARRIVAL_TIMEOUT_MS)),
  );
  const first = await Promise.race([arrived, late]).finally(() => clearTimeout(timer));
  if (first !== 'late') return first;
  const arrivedSoFar = new Set(world.sim.inbox(CONTACT.slice(1)).map((entry) => entry.text));
  const stuck = [];
  for (const text of texts.filter((t) => !arrivedSoFar.has(t)).slice(0, 10)) {
    const message = sent.get(text);
    const stored = message ? await cloud.adapters.messages.get(message.sessionId, message.id) : null;
    stuck.push({
      text,
      sessionId: message?.sessionId,
      messageId: message?.id,
      history: stored?.statusHistory,
    });
  }
  throw new Error(`messages did not arrive within ${ARRIVAL_TIMEOUT_MS} ms: ${JSON.stringify(stuck)}`);
}

async function host(
  world: SimWorld,
  scenario: string,
  run: number,
  sessions: number,
  count: number,
  paced: boolean,
  sequential = false,
  group = false,
) {
  const { creds, phones } = await world.provision(run, sessions);
  const target = group ? groupTarget(world, run, phones[0] ?? '') : contactTarget(world);
  const cloud = await startCloudWorld(world.sim);
  const pacing: Record<string, string> = paced ? {} : { APP_SEND_MIN_GAP_MS: '0', APP_SEND_JITTER_MS: '0' };
  const child = new Child(
    await childScript('session-host.ts'),
    cloud.hostEnv({ ...pacing, APP_HOST_CAPACITY: String(sessions), APP_HOST_ID: `send-${run}` }),
  );
  const doorbell = new HostDoorbell(cloud.adapters.commandQueue, { warn: (m, f) => progress(m, f) });
  try {
    await child.next('ready');
    const tenantId = newId();
    const ids: string[] = [];
    for (const c of creds) ids.push(await cloud.seedSession(c, tenantId));
    const connectBy = Date.now() + CONNECT_TIMEOUT_MS;
    for (let polls = 0; ; polls++) {
      const status = await child.request({ type: 'status' }, 'sessions');
      if (status.connected >= sessions) break;
      if (polls % 20 === 0) progress('waiting for the host to connect', { ...status, of: sessions });
      if (Date.now() > connectBy) throw new Error(`only ${status.connected}/${sessions} sessions connected`);
      await sleep(250);
    }
    await sleep(1000);
    if (warmUp && count > 0) {
      const first = ids.map((_, i) => `host warm-up ${i} ${newId()}`);
      const warmed = target.arrivals(first);
      for (const [i, text] of first.entries())
        await enqueue(cloud, doorbell, ids[i] ?? '', tenantId, text, target);
      await warmed;
      await sleep(1000);
    }
    const texts = Array.from({ length: count }, (_, i) => `host ${i} ${newId()}`);
    const starts: number[] = [];
    const cpuBefore = await cpuMs(child);
    if (count === 0) {
      // The control (`host-idle`): the host's own timers (heartbeat, lease renewals, command poll, queued sweep)
      // over a burst's span with nothing to send, to set against a scenario's CPU total.
      await sleep(idleMs);
      const cpuMsIdle = round((await cpuMs(child)) - cpuBefore);
      emit(BENCH, 'host', {
        scenario,
        sessions,
        idleMs,
        cpuMs: cpuMsIdle,
        cpuMsPerSecond: round(cpuMsIdle / (idleMs / 1000)),
      });
      return;
    }
    if (sequential) {
      // One message at a time on an idle host: the path's own latency, no queueing behind earlier sends.
      const arrivedOne = new Map<string, number>();
      for (const [i, text] of texts.entries()) {
        const arrived = target.arrivals([text]);
        starts[i] = Date.now();
        await enqueue(cloud, doorbell, ids[0] ?? '', tenantId, text, target);
        for (const [t, at] of await arrived) arrivedOne.set(t, at);
      }
      const cpu = cpuFigures(cpuBefore, await cpuMs(child), texts.length);
      emit(BENCH, 'host', { scenario, sessions, paced, ...figures(starts, texts, arrivedOne), ...cpu });
      return;
    }
    const arrived = target.arrivals(texts);
    const sent = new Map<string, Message>();
    // Requests arrive concurrently at the API; eight writers, messages spread round-robin over the sessions.
    let next = 0;
    const writer = async () => {
      for (let i = next++; i < count; i = next++) {
        starts[i] = Date.now();
        const text = texts[i] ?? '';
        sent.set(text, await enqueue(cloud, doorbell, ids[i % ids.length] ?? '', tenantId, text, target));
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    const arrivedAt = group ? await arrived : await arrivedOrStuck(arrived, texts, sent, cloud, world);
    const cpu = cpuFigures(cpuBefore, await cpuMs(child), texts.length);
    emit(BENCH, 'host', {
      scenario,
      sessions,
      paced,
      ...(group ? { groupSize } : {}),
      ...figures(starts, texts, arrivedAt),
      ...cpu,
      ...target.bytes?.stop(),
    });
  } finally {
    await child.stop();
    await cloud.stop();
  }
}

emitMachine(BENCH);
emit(BENCH, 'meta', { runtime });
const world = await startSimWorld();
world.sim.addContact(CONTACT, 'Bench');
try {
  for (const scenario of scenarios) {
    progress(scenario);
    if (scenario === 'baseline') await baseline(world);
    else if (scenario === 'host-unpaced') await host(world, scenario, 41, 1, messages, false);
    else if (scenario === 'host-idle') await host(world, scenario, 47, idleSessions, 0, false);
    else if (scenario === 'host-single') await host(world, scenario, 44, 1, pacedMessages * 2, false, true);
    else if (scenario === 'host-paced') await host(world, scenario, 42, 1, pacedMessages, true);
    else if (scenario === 'host-many') await host(world, scenario, 43, manySessions, messages, false);
    else if (scenario === 'baseline-group') await baseline(world, 45, true);
    else if (scenario === 'host-group') await host(world, scenario, 46, 1, groupMessages, false, false, true);
    else throw new Error(`unknown scenario ${scenario}`);
  }
} finally {
  await world.stop();
}
