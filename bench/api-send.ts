/**
 * API send latency on the local stack: client-observed time from `POST /v1/sessions/{id}/messages` (text, unique
 * `Idempotency-Key`) to its 202, one at a time and then `--concurrency` in flight, against a baseline in the same
 * run: the minimal durable path on the same emulators, one DynamoDB PutItem of a message item into the same
 * messages table plus one SQS SendMessage of a `message.send` doorbell to a host command queue of the stack, with
 * AWS SDK clients built like the product's (`createAwsClients`). Prints JSON lines on stdout (`side`: `api`,
 * `baseline`, then one `comparison`); progress on stderr.
 *
 *   npx tsx bench/api-send.ts [--sends 300] [--concurrency 10] [--warmup 20]
 *
 * The sends go to a tenant created for the bench through `POST /v1/tenants` (operator key) with raised limits, so
 * the per-session send limit (60/min by default) does not answer 429; each phase gets its own session. No host
 * runs, so the sessions stay unowned and the API rings no doorbell (no SQS call on the API side). The API side
 * also counts, per send, the AWS calls the handlers make (a timing middleware on the handlers' own SDK clients,
 * which run in this process): where the time goes.
 *
 * A third side, `data-path`, runs the send's own data path in this process without the HTTP edge (no gateway, no
 * Lambda emulation, no authorizer, no middy/zod): the tenant guard's rate-limit write alongside the session read,
 * then `sendMessage` (the send transaction), with the product's adapters on the same emulators. api minus
 * data-path is the edge; data-path against the baseline is what DynamoDB Local charges for the design's two
 * round trips (an `UpdateItem`, then a five-item `TransactWriteItems`) against one `PutItem` + `SendMessage`.
 *
 * Local figures measure our code plus the emulators (DynamoDB Local in its own JVM; the gateway, the handlers,
 * fauxqs and this client share one Node process), not AWS: compare the two sides of one run, not runs on
 * different machines.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { awsClients, controlPlane } from '../functions/http/runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.js';
import { silentLog } from '../local/log.js';
import { startLocalProduct } from '../local/product.js';
import { createAwsClients, type AwsClients } from '../shared/adapters/aws/clients.js';
import { SqsHostCommandQueue } from '../shared/adapters/aws/sqs-host-command-queue.js';
import { chatKeyOf } from '../shared/adapters/dynamodb/message-repository.js';
import type { HostCommand } from '../shared/contracts/host-command.js';
import { physicalTableName } from '../shared/definitions/tables.js';
import { SendMessageRequestSchema } from '../shared/domain/message.js';
import { sendMessage } from '../shared/services/messages.js';
import { apiRequestsBucket, enforceRateLimit } from '../shared/services/rate-limit.js';
import { newId, nowIso } from '../shared/domain/ids.js';
import { phoneToJid } from '../shared/domain/phone.js';
import {
  costPerMillionMessages,
  sumUnits,
  unitsOf,
  type CommandInput,
  type Units,
} from './support/aws-cost.js';
import { argument, emitMachine, latencySummary, percentile, progress, round } from './support/figures.js';

const BENCH = 'api-send';
const sends = integerArgument('sends', '300', 1);
const concurrency = integerArgument('concurrency', '10', 1);
const warmup = integerArgument('warmup', '20', 0);
/** `TenantLimitsSchema`'s ceiling for `sendsPerMinute`: one phase's sends must fit in one session's window. */
const MAX_SENDS_PER_MINUTE = 6_000;
const TO = '+15551234567';
const REQUEST_TIMEOUT_MS = 30_000;

type Side = 'api' | 'data-path' | 'baseline' | 'comparison';

function emitSide(side: Side, figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, side, ...figures })}\n`);
}

function integerArgument(name: string, fallback: string, min: number): number {
  const value = Number(argument(name, fallback));
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes an integer >= ${min}`);
  return value;
}

const text = (n: number): string => `api-send bench message ${n}: your order has shipped`;

/** `latencySummary` plus p95 and the mean. */
function summary(latencies: readonly number[]): Record<string, number> {
  const mean = latencies.reduce((sum, v) => sum + v, 0) / latencies.length;
  return { ...latencySummary(latencies), p95Ms: round(percentile(latencies, 95)), meanMs: round(mean) };
}

interface Run {
  readonly latencies: number[];
  readonly elapsedMs: number;
  /** CPU time of this process (client, gateway, handlers, fauxqs) over the run, in % of one core. */
  readonly processCpuPercent: number;
}

/** `count` calls of `call`, `inFlight` at a time: a pool (a worker takes the next call as soon as its own ends). */
async function runPool(count: number, inFlight: number, call: (i: number) => Promise<void>): Promise<Run> {
  const latencies = new Array<number>(count).fill(0);
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await call(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const elapsedMs = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  return { latencies, elapsedMs, processCpuPercent: round((user + system) / 10 / elapsedMs, 0) };
}

/**
 * Times every call the handlers' SDK clients make (they run in this process: `functions/http/runtime.ts` is one
 * module instance for the gateway's handlers and for this file), by operation, table and outcome.
 */
function recordAwsCalls(clients: AwsClients, prefix: string) {
  let calls: { key: string; ms: number; units: Units }[] = [];
  const timing =
    (service: string) =>
    <T>(next: (args: T) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: T) => {
      const t0 = performance.now();
      let outcome = '';
      try {
        return await next(args);
      } catch (error) {
        outcome = ` (${error instanceof Error ? error.name : 'error'})`;
        throw error;
      } finally {
        const input = (args as { input?: CommandInput & { TableName?: unknown } }).input;
        const table = typeof input?.TableName === 'string' ? ` ${input.TableName.slice(prefix.length)}` : '';
        const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
        calls.push({
          key: `${service} ${operation}${table}${outcome}`,
          ms: performance.now() - t0,
          units: unitsOf(service, operation, input),
        });
      }
    };
  const options = { step: 'initialize', name: 'benchAwsCallTiming' } as const;
  clients.dynamo.middlewareStack.add(timing('DynamoDB') as never, options);
  clients.sqs.middlewareStack.add(timing('SQS') as never, options);
  return {
    reset: () => void (calls = []),
    /** Per send: which calls, how many, how long; and the share of the latency spent outside them. */
    breakdown(sendCount: number, meanLatencyMs: number): Record<string, unknown> {
      const byKey = new Map<string, number[]>();
      for (const { key, ms } of calls) {
        const times = byKey.get(key) ?? [];
        times.push(ms);
        byKey.set(key, times);
      }
      if (calls.length === 0)
        progress('no AWS call of the handlers was seen: is functions/http/runtime.ts loaded twice?');
      const totalMs = calls.reduce((sum, c) => sum + c.ms, 0);
      const operations = Object.fromEntries(
        [...byKey.entries()]
          .sort((a, b) => b[1].reduce((s, v) => s + v, 0) - a[1].reduce((s, v) => s + v, 0))
          .map(([key, ms]) => [
            key,
            {
              calls: ms.length,
              perSend: round(ms.length / sendCount),
              p50Ms: round(percentile(ms, 50)),
              meanMs: round(ms.reduce((s, v) => s + v, 0) / ms.length),
            },
          ]),
      );
      // On AWS each send is also one HTTP API request and one handler invocation (the authorizer's verdict is
      // cached per key, so its invocations are a small fraction and left out).
      const unitsPerSend = {
        ...sumUnits(
          calls.map((c) => c.units),
          sendCount,
        ),
        httpApiRequest: 1,
        lambdaInvocation: 1,
      };
      return {
        awsCallsPerSend: round(calls.length / sendCount),
        requestUnitsPerSend: Object.fromEntries(
          Object.entries(unitsPerSend).map(([unit, n]) => [unit, round(n)]),
        ),
        requestCostUsdPerMillionSends: costPerMillionMessages(unitsPerSend),
        awsMsPerSend: round(totalMs / sendCount),
        outsideAwsCallsMsPerSend: round(meanLatencyMs - totalMs / sendCount),
        operations,
      };
    },
  };
}

const TenantCreatedSchema = z.object({
  tenant: z.object({ id: z.string() }),
  apiKey: z.object({ key: z.string() }),
});
const SessionCreatedSchema = z.object({ id: z.string() });
const AcceptedSchema = z.object({ id: z.string(), status: z.literal('queued') });

async function postJson(url: string, key: string, body: unknown, expected: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const answer = await response.text();
  if (response.status !== expected)
    throw new Error(`POST ${new URL(url).pathname}: ${response.status} ${answer.slice(0, 500)}`);
  return JSON.parse(answer) as unknown;
}

async function main(): Promise<void> {
  if (sends > MAX_SENDS_PER_MINUTE || warmup > MAX_SENDS_PER_MINUTE)
    throw new Error(
      `--sends and --warmup take at most ${MAX_SENDS_PER_MINUTE} (a tenant's sendsPerMinute ceiling)`,
    );
  // The handlers run in this process and log through Powertools to stdout; a 2xx logs nothing, but refusals
  // (INFO) would mix with the figures. The bench reports the first refusal itself.
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
  emitMachine(BENCH);
  const product = await startLocalProduct({ hosts: 0, simulator: false, stackFile: false, log: silentLog });
  const { stack } = product;
  // The baseline's own clients, built like the product's (region, static credentials, explicit endpoints).
  const clients = createAwsClients(
    { AWS_REGION: LOCAL_REGION, APP_S3_FORCE_PATH_STYLE: true },
    { endpoints: { dynamodb: stack.dynamodb, sqs: stack.sqs }, credentials: LOCAL_CREDENTIALS },
  );
  const hostQueues = new SqsHostCommandQueue({ sqs: clients.sqs, prefix: stack.prefix });
  let queueUrl: string | undefined;
  try {
    const apiCalls = recordAwsCalls(awsClients(), stack.prefix);
    // A tenant of its own, made the way the product allows: the operator sets limits when creating it.
    const { tenant, apiKey } = TenantCreatedSchema.parse(
      await postJson(
        `${stack.apiUrl}/v1/tenants`,
        stack.operatorKey,
        {
          name: 'api-send bench',
          limits: { maxSessions: 5, sendsPerMinute: MAX_SENDS_PER_MINUTE, requestsPerMinute: 100_000 },
        },
        201,
      ),
    );
    const newSession = async (name: string): Promise<string> =>
      SessionCreatedSchema.parse(await postJson(`${stack.apiUrl}/v1/sessions`, apiKey.key, { name }, 201)).id;
    const sessions = {
      warmup: await newSession('api-send warm-up'),
      sequential: await newSession('api-send sequential'),
      concurrent: await newSession('api-send concurrent'),
    };
    const dataPathSessions = {
      sequential: await newSession('data-path sequential'),
      concurrent: await newSession('data-path concurrent'),
    };
    progress('stack up', { tenantId: tenant.id, sessions });

    // API side: every answer must be a 202 `{ id, status: "queued" }`.
    let phase = '';
    const statuses = new Map<number, number>();
    let firstFailure: string | undefined;
    let malformed = 0;
    const apiSend = (sessionId: string) => async (n: number) => {
      const response = await fetch(`${stack.apiUrl}/v1/sessions/${sessionId}/messages`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey.key}`,
          'content-type': 'application/json',
          'idempotency-key': `api-send-${phase}-${n}`,
        },
        body: JSON.stringify({ to: TO, type: 'text', text: { body: text(n) } }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const answer = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status !== 202) firstFailure ??= `${response.status} ${answer.slice(0, 300)}`;
      else if (!AcceptedSchema.safeParse(JSON.parse(answer)).success) {
        malformed++;
        firstFailure ??= `202 with an unexpected body: ${answer.slice(0, 300)}`;
      }
    };
    const non202 = (): number =>
      [...statuses].reduce((sum, [status, n]) => sum + (status === 202 ? 0 : n), 0);

    // Data path: what the send handler does after the edge, with the product's own adapters and services.
    const deps = controlPlane();
    const tenantModel = await deps.repos.tenants.get(tenant.id);
    if (!tenantModel) throw new Error(`tenant ${tenant.id} not found`);
    const dataPathSend = (sessionId: string) => async (n: number) => {
      const sessionRead = deps.repos.sessions.get(tenant.id, sessionId);
      sessionRead.catch(() => undefined);
      await enforceRateLimit(
        deps.rateLimits,
        apiRequestsBucket(tenant.id),
        tenantModel.limits.requestsPerMinute,
        'Requests for this tenant',
        deps.now(),
      );
      const result = await sendMessage(deps, {
        tenant: tenantModel,
        sessionId,
        request: SendMessageRequestSchema.parse({ to: TO, type: 'text', text: { body: text(n) } }),
        idempotencyKey: `data-path-${phase}-${n}`,
        sessionRead,
      });
      if (result.status !== 'queued') throw new Error(`data path: ${JSON.stringify(result)}`);
    };

    // Baseline: one PutItem of the message item the API would store, one doorbell on a host queue.
    const messagesTable = physicalTableName(stack.prefix, 'messages');
    queueUrl = await hostQueues.create(`bench-api-send-${process.pid}`);
    const baselineSessionId = newId();
    const putMs: number[] = [];
    const sendMessageMs: number[] = [];
    const baselineSend = async (n: number): Promise<void> => {
      const now = Date.now();
      const messageId = newId(now);
      const at = nowIso(new Date(now));
      const chatJid = phoneToJid(TO);
      const t0 = performance.now();
      await clients.dynamo.send(
        new PutCommand({
          TableName: messagesTable,
          Item: {
            sessionId: baselineSessionId,
            messageId,
            tenantId: tenant.id,
            direction: 'outbound',
            chatJid,
            to: TO,
            type: 'text',
            content: { type: 'text', text: { body: text(n) } },
            status: 'queued',
            statusHistory: [{ status: 'queued', at }],
            createdAt: at,
            updatedAt: at,
            chatKey: chatKeyOf(baselineSessionId, chatJid),
            queuedFor: baselineSessionId,
          },
          ConditionExpression: 'attribute_not_exists(messageId)',
        }),
      );
      const t1 = performance.now();
      const command: HostCommand = {
        type: 'message.send',
        tenantId: tenant.id,
        sessionId: baselineSessionId,
        messageId,
        sentAt: at,
      };
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(command) }),
      );
      putMs.push(t1 - t0);
      sendMessageMs.push(performance.now() - t1);
    };

    // Warm-up, not counted: loads the handlers, opens connections, lets the JIT and both emulators settle.
    phase = 'warmup';
    await runPool(warmup, 1, apiSend(sessions.warmup));
    if (firstFailure !== undefined)
      throw new Error(`warm-up: not every send was answered 202 (first: ${firstFailure})`);
    await runPool(warmup, 1, baselineSend);
    await runPool(warmup, 1, dataPathSend(sessions.warmup));
    progress('warm-up done', { sends: warmup });

    const results: Record<string, { api: number; dataPath: number; baseline: number }> = {};
    for (const [mode, inFlight] of [
      ['sequential', 1],
      ['concurrent', concurrency],
    ] as const) {
      phase = mode;
      statuses.clear();
      malformed = 0;
      firstFailure = undefined;
      apiCalls.reset();
      const api = await runPool(sends, inFlight, apiSend(sessions[mode]));
      const apiFigures = summary(api.latencies);
      const rejected = non202();
      emitSide('api', {
        figure: `POST /v1/sessions/{id}/messages -> 202, ${mode}`,
        sends,
        concurrency: inFlight,
        requestsPerSecond: round((sends / api.elapsedMs) * 1000),
        processCpuPercent: api.processCpuPercent,
        ...apiFigures,
        non202: rejected,
        statuses: Object.fromEntries(statuses),
        ...(malformed > 0 ? { malformed202: malformed } : {}),
      });
      if (firstFailure !== undefined)
        throw new Error(
          `${mode}: ${rejected} of ${sends} sends were not answered 202, ${malformed} answered 202 with another body than { id, status: "queued" } (first: ${firstFailure})`,
        );
      emitSide('api', {
        figure: `AWS calls of the handlers per send, ${mode}`,
        sends,
        concurrency: inFlight,
        ...apiCalls.breakdown(sends, apiFigures['meanMs'] ?? 0),
      });
      progress(`api ${mode} done`);

      const dataPath = await runPool(sends, inFlight, dataPathSend(dataPathSessions[mode]));
      const dataPathFigures = summary(dataPath.latencies);
      emitSide('data-path', {
        figure: `rate-limit UpdateItem alongside session GetItem, then the send transaction (no HTTP edge), ${mode}`,
        sends,
        concurrency: inFlight,
        requestsPerSecond: round((sends / dataPath.elapsedMs) * 1000),
        processCpuPercent: dataPath.processCpuPercent,
        ...dataPathFigures,
      });
      progress(`data path ${mode} done`);

      putMs.length = 0;
      sendMessageMs.length = 0;
      const baseline = await runPool(sends, inFlight, baselineSend);
      const baselineFigures = summary(baseline.latencies);
      emitSide('baseline', {
        figure: `DynamoDB PutItem + SQS SendMessage, ${mode}`,
        sends,
        concurrency: inFlight,
        requestsPerSecond: round((sends / baseline.elapsedMs) * 1000),
        processCpuPercent: baseline.processCpuPercent,
        ...baselineFigures,
        putItemP50Ms: round(percentile(putMs, 50)),
        sendMessageP50Ms: round(percentile(sendMessageMs, 50)),
      });
      progress(`baseline ${mode} done`);
      results[mode] = {
        api: apiFigures['p50Ms'] ?? Number.NaN,
        dataPath: dataPathFigures['p50Ms'] ?? Number.NaN,
        baseline: baselineFigures['p50Ms'] ?? Number.NaN,
      };
    }

    // Every accepted send is stored once: one item per Idempotency-Key in each measured session.
    for (const mode of ['sequential', 'concurrent'] as const) {
      for (const [side, sessionId] of [
        ['api', sessions[mode]],
        ['data path', dataPathSessions[mode]],
      ] as const) {
        const stored = await countMessages(clients, messagesTable, sessionId);
        if (stored !== sends)
          throw new Error(`${side} ${mode}: ${sends} sends accepted but ${stored} messages stored`);
      }
    }

    emitSide('comparison', {
      figure: 'api p50 / baseline p50',
      ...Object.fromEntries(
        Object.entries(results).map(([mode, { api, dataPath, baseline }]) => [
          mode,
          {
            apiP50Ms: api,
            dataPathP50Ms: dataPath,
            baselineP50Ms: baseline,
            ratio: round(api / baseline),
            overheadMs: round(api - baseline),
            dataPathRatio: round(dataPath / baseline),
            edgeMs: round(api - dataPath),
          },
        ]),
      ),
    });
  } finally {
    if (queueUrl !== undefined) await hostQueues.delete(queueUrl).catch(() => undefined);
    for (const client of Object.values(clients)) client.destroy();
    await product.stop();
  }
}

async function countMessages(clients: AwsClients, table: string, sessionId: string): Promise<number> {
  let count = 0;
  let startKey: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const out = await clients.dynamo.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'sessionId = :s',
        ExpressionAttributeValues: { ':s': sessionId },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

main().catch((error: unknown) => {
  progress('benchmark failed', { error: String(error) });
  process.exitCode = 1;
});
