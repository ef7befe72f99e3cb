/**
 * The routing overhead of a pool send (docs/pools.md, "Send path") on the local stack: client-observed latency of
 * `POST /v1/pools/{id}/messages` against `POST /v1/sessions/{id}/messages` in the same run, same stack, same
 * body, one at a time, and the DynamoDB calls the handlers make per send (a middleware on the handlers' own SDK
 * clients, which run in this process). The pool has three members; its sends go to `--contacts` contacts in
 * turn, so the first `--contacts` sends are first sends (the assignment is created) and the rest are sticky.
 * Prints JSON lines on stdout (`side`: `session`, `pool-new`, `pool-sticky`, then `comparison`).
 *
 *   npx tsx bench/pool-send.ts [--sends 200] [--contacts 50] [--warmup 20]
 *
 * No host runs: the sessions stay `starting` (unowned, so no doorbell on either side) and the pool's policy is
 * `whenNoMember: wait` with a day's grace, so routing picks among members that are down, as it would among
 * connected ones (the same reads and writes). Compare the sides of one run, not runs on different machines.
 */
import { z } from 'zod';
import { awsClients } from '../functions/http/runtime.js';
import { silentLog } from '../local/log.js';
import { startLocalProduct } from '../local/product.js';
import type { AwsClients } from '../shared/adapters/aws/clients.js';
import { argument, emitMachine, latencySummary, percentile, progress, round } from './support/figures.js';

const BENCH = 'pool-send';
const sends = integerArgument('sends', '200', 1);
const contacts = integerArgument('contacts', '50', 1);
const warmup = integerArgument('warmup', '20', 0);
const MAX_SENDS_PER_MINUTE = 6_000;
const REQUEST_TIMEOUT_MS = 30_000;

function integerArgument(name: string, fallback: string, min: number): number {
  const value = Number(argument(name, fallback));
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes an integer >= ${min}`);
  return value;
}

function emitSide(side: string, figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, side, ...figures })}\n`);
}

const contact = (n: number): string => `+1555190${String(n % 10_000).padStart(4, '0')}`;

/** Counts the handlers' DynamoDB calls by operation and table, per phase. */
function countDynamoCalls(clients: AwsClients, prefix: string) {
  let calls: string[] = [];
  const counting =
    <T>(next: (args: T) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: T) => {
      const input = (args as { input?: { TableName?: unknown; RequestItems?: Record<string, unknown> } })
        .input;
      const tables =
        typeof input?.TableName === 'string'
          ? [input.TableName]
          : Object.keys(input?.RequestItems ?? {}).sort();
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      calls.push(
        `${operation}${tables.length ? ' ' : ''}${tables.map((t) => t.slice(prefix.length)).join('+')}`,
      );
      return next(args);
    };
  clients.dynamo.middlewareStack.add(counting as never, { step: 'initialize', name: 'benchDynamoCount' });
  return {
    reset: () => void (calls = []),
    perSend(count: number): Record<string, unknown> {
      const byKey = new Map<string, number>();
      for (const key of calls) byKey.set(key, (byKey.get(key) ?? 0) + 1);
      return {
        dynamoCallsPerSend: round(calls.length / count),
        calls: Object.fromEntries([...byKey].map(([key, n]) => [key, round(n / count)])),
      };
    },
  };
}

async function post(url: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? (JSON.parse(text) as unknown) : null, text };
}

async function timed(count: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const t0 = performance.now();
    await call(i);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

const summary = (latencies: readonly number[]) => ({
  ...latencySummary(latencies),
  p50Ms: round(percentile(latencies, 50)),
  p95Ms: round(percentile(latencies, 95)),
  meanMs: round(latencies.reduce((s, v) => s + v, 0) / latencies.length),
});

async function main(): Promise<void> {
  if (sends + warmup > MAX_SENDS_PER_MINUTE)
    throw new Error(`--sends + --warmup take at most ${MAX_SENDS_PER_MINUTE}`);
  if (contacts >= sends) throw new Error('--contacts must be below --sends (the rest are sticky sends)');
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
  emitMachine(BENCH);
  const product = await startLocalProduct({ hosts: 0, simulator: false, stackFile: false, log: silentLog });
  const { stack } = product;
  try {
    const dynamo = countDynamoCalls(awsClients(), stack.prefix);
    const made = z.object({ apiKey: z.object({ key: z.string() }) }).parse(
      (
        await post(`${stack.apiUrl}/v1/tenants`, stack.operatorKey, {
          name: 'pool-send bench',
          limits: { maxSessions: 5, sendsPerMinute: MAX_SENDS_PER_MINUTE, requestsPerMinute: 100_000 },
        })
      ).body,
    );
    const key = made.apiKey.key;
    const session = async (name: string) =>
      z.object({ id: z.string() }).parse((await post(`${stack.apiUrl}/v1/sessions`, key, { name })).body).id;
    const direct = await session('direct');
    const members = [await session('m1'), await session('m2'), await session('m3')];
    const pool = z.object({ id: z.string() }).parse(
      (
        await post(`${stack.apiUrl}/v1/pools`, key, {
          name: 'bench',
          members: members.map((sessionId) => ({ sessionId })),
          policy: { whenNoMember: 'wait', disconnectedGraceSeconds: 86_400 },
        })
      ).body,
    );
    let phase = 'warmup';
    const send = (path: string, to: (i: number) => string) => async (i: number) => {
      const r = await post(
        `${stack.apiUrl}${path}`,
        key,
        { to: to(i), type: 'text', text: { body: `pool-send bench ${i}` } },
        { 'idempotency-key': `${phase}-${i}` },
      );
      if (r.status !== 202) throw new Error(`${path}: ${r.status} ${r.text.slice(0, 300)}`);
    };
    const sessionSend = send(`/v1/sessions/${direct}/messages`, contact);
    const poolSend = send(`/v1/pools/${pool.id}/messages`, contact);

    await timed(warmup, sessionSend);
    await timed(warmup, (i) => poolSend(contacts + 1000 + i));
    progress('warm-up done', { sends: warmup });

    phase = 'session';
    dynamo.reset();
    const sessionFigures = summary(await timed(sends, sessionSend));
    emitSide('session', {
      figure: 'POST /v1/sessions/{id}/messages -> 202',
      sends,
      ...sessionFigures,
      ...dynamo.perSend(sends),
    });

    phase = 'pool-new';
    dynamo.reset();
    const newFigures = summary(await timed(contacts, poolSend));
    emitSide('pool-new', {
      figure: 'POST /v1/pools/{id}/messages -> 202, first send to a contact',
      sends: contacts,
      ...newFigures,
      ...dynamo.perSend(contacts),
    });

    phase = 'pool-sticky';
    dynamo.reset();
    const stickyFigures = summary(await timed(sends - contacts, (i) => poolSend(i % contacts)));
    emitSide('pool-sticky', {
      figure: 'POST /v1/pools/{id}/messages -> 202, contact already assigned',
      sends: sends - contacts,
      ...stickyFigures,
      ...dynamo.perSend(sends - contacts),
    });

    emitSide('comparison', {
      figure: 'pool p50 - session p50',
      sessionP50Ms: sessionFigures.p50Ms,
      poolNewP50Ms: newFigures.p50Ms,
      poolStickyP50Ms: stickyFigures.p50Ms,
      newOverheadMs: round(newFigures.p50Ms - sessionFigures.p50Ms),
      stickyOverheadMs: round(stickyFigures.p50Ms - sessionFigures.p50Ms),
    });
  } finally {
    await product.stop();
  }
}

main().catch((error: unknown) => {
  progress('benchmark failed', { error: String(error) });
  process.exitCode = 1;
});
