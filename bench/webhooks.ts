/**
 * Webhook delivery on the local stack: deliveries per second and event-to-webhook latency (PutEvents on the bus
 * -> rule -> fan-out worker -> delivery queue -> delivery worker -> signed POST received), against a baseline in
 * the same run: a bare loop of Standard-Webhooks-signed POSTs to the same receiver (what the HTTP part alone
 * costs). Prints JSON lines on stdout (`side`: `baseline` or `pipeline`); progress on stderr.
 *
 *   npx tsx bench/webhooks.ts [--events 300] [--latency-samples 20] [--concurrency 10] [--event session.status]
 *
 * `--concurrency`: PutEvents calls in flight while publishing the burst, and POSTs in flight in the baseline.
 *
 * Local figures measure our code plus the emulators (fauxqs, DynamoDB Local, five ESM pollers per queue, as
 * Lambda starts with, with a 1 s long poll), not AWS: compare the two sides of one run, not runs on different machines.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Webhook } from 'standardwebhooks';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/local-aws.js';
import { silentLog } from '../local/log.js';
import { startLocalProduct } from '../local/product.js';
import { EventBridgeEventBus } from '../shared/adapters/aws/eventbridge-event-bus.js';
import { makeEvent, type DomainEvent } from '../shared/domain/events.js';
import { newId } from '../shared/domain/ids.js';
import { argument, emitMachine, latencySummary, progress, round, until } from './support/figures.js';

const BENCH = 'webhooks';
const events = Number(argument('events', '300'));
const latencySamples = Number(argument('latency-samples', '20'));
const concurrency = Number(argument('concurrency', '10'));
/**
 * `session.status` (the default, as in earlier runs) also feeds the realtime push and pool failover workers,
 * which run in this process too; `message.status` (delivery receipts, the bulk of webhook traffic) feeds the
 * realtime push worker only.
 */
const eventType = argument('event', 'session.status');
if (eventType !== 'session.status' && eventType !== 'message.status') {
  throw new Error(`--event must be session.status or message.status, not ${eventType}`);
}

function emitSide(side: 'baseline' | 'pipeline', figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, side, ...figures })}\n`);
}

/** Records when each `webhook-id` first arrives. */
async function startReceiver() {
  const arrivals = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const id = req.headers['webhook-id'];
      if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  emitMachine(BENCH);
  const product = await startLocalProduct({
    hosts: 0,
    simulator: false,
    stackFile: false,
    log: silentLog,
    // The consumers run in this process and log to stdout, which holds the figures only.
    cloudEnv: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  });
  const receiver = await startReceiver();
  const eventBridge = new EventBridgeClient({
    endpoint: product.stack.eventbridge,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const tenantId = product.stack.tenantId ?? '';
    const created = await fetch(`${product.stack.apiUrl}/v1/webhooks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${product.stack.tenantApiKey ?? ''}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ url: receiver.url }),
    });
    if (created.status !== 201)
      throw new Error(`webhook not created: ${created.status} ${await created.text()}`);
    const { secret } = (await created.json()) as { secret: string };
    const bus = new EventBridgeEventBus({ client: eventBridge, busName: product.stack.eventBusName });
    const sessionId = newId();
    const newEvent = (n: number): DomainEvent =>
      eventType === 'message.status'
        ? makeEvent('message.status', {
            tenantId,
            sessionId,
            data: { messageId: newId(), status: 'delivered' },
          })
        : makeEvent('session.status', { tenantId, sessionId, data: { status: 'qr', reason: `bench ${n}` } });

    // Baseline first, while the pipeline is idle: the same number of signed POSTs straight to the receiver,
    // `concurrency` at a time. Measured after the burst, it ran beside the burst's tail (the last deletes and
    // writes, the other consumers of the events, DynamoDB Local catching up): at up to half its rate in runs
    // with five pollers per queue.
    const signer = new Webhook(secret);
    const post = async (event: DomainEvent): Promise<number> => {
      const body = JSON.stringify(event);
      const sentAt = new Date();
      const t0 = performance.now();
      const response = await fetch(receiver.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': `${event.id}-baseline`,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signer.sign(event.id, sentAt, body),
        },
        body,
      });
      await response.arrayBuffer();
      return performance.now() - t0;
    };
    const baseline = Array.from({ length: events }, (_, n) => newEvent(n));
    const baselineLatencies: number[] = [];
    const baseStart = performance.now();
    for (let i = 0; i < baseline.length; i += concurrency) {
      baselineLatencies.push(...(await Promise.all(baseline.slice(i, i + concurrency).map(post))));
    }
    const baseElapsed = performance.now() - baseStart;
    emitSide('baseline', {
      figure: 'bare signed POST loop',
      events,
      concurrency,
      deliveriesPerSecond: round((events / baseElapsed) * 1000),
      ...latencySummary(baselineLatencies),
    });

    // Unloaded latency: one event at a time.
    const single: number[] = [];
    for (let i = 0; i < latencySamples; i++) {
      const event = newEvent(i);
      const start = performance.now();
      await bus.publish([event]);
      await until(() => receiver.arrivals.has(event.id), 'a single delivery', 30_000);
      single.push((receiver.arrivals.get(event.id) ?? start) - start);
    }
    emitSide('pipeline', {
      figure: 'event-to-webhook latency, one event at a time',
      samples: single.length,
      ...latencySummary(single),
    });
    progress('single-event latency done');

    // Throughput: a burst of events, published in PutEvents of 10 with `concurrency` calls in flight (as many
    // publishers at once as the baseline has POSTs): one publisher awaiting each call in turn shares the CPU with
    // the consumers and would measure its own round trips rather than the pipeline.
    const burst = Array.from({ length: events }, (_, n) => newEvent(n));
    const publishedAt = new Map<string, number>();
    const batches = Array.from({ length: Math.ceil(burst.length / 10) }, (_, i) =>
      burst.slice(i * 10, i * 10 + 10),
    );
    const start = performance.now();
    const cpuAtStart = process.cpuUsage();
    const publishNext = async (): Promise<void> => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        const at = performance.now();
        for (const event of batch) publishedAt.set(event.id, at);
        await bus.publish(batch);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, publishNext));
    const publishedMs = performance.now() - start;
    await until(() => burst.every((e) => receiver.arrivals.has(e.id)), 'every burst delivery', 600_000);
    // This process's CPU (the consumers, fauxqs, the local bus and gateways; not DynamoDB Local's JVM) per
    // delivery: steadier than the rate on a machine shared with other work.
    const cpu = process.cpuUsage(cpuAtStart);
    const last = Math.max(...burst.map((e) => receiver.arrivals.get(e.id) ?? 0));
    const latencies = burst.map((e) => (receiver.arrivals.get(e.id) ?? 0) - (publishedAt.get(e.id) ?? 0));
    emitSide('pipeline', {
      figure: 'burst',
      events,
      eventType,
      deliveriesPerSecond: round((events / (last - start)) * 1000),
      publishedMs: round(publishedMs),
      cpuMsPerDelivery: round((cpu.user + cpu.system) / 1000 / events),
      ...latencySummary(latencies),
    });
    progress('burst done');
  } finally {
    eventBridge.destroy();
    await receiver.stop();
    await product.stop();
  }
}

main().catch((error: unknown) => {
  progress('benchmark failed', { error: String(error) });
  process.exitCode = 1;
});
