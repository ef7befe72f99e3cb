/**
 * `npm start`: the local cloud on fixed ports (HTTP 4000, WebSocket 4001, then 4002...), printed on start and
 * written to `.local/stack.json`; stops cleanly on SIGINT/SIGTERM. Ports can be changed with flags
 * (`--http-port=5000`) or environment variables (`LOCAL_HTTP_PORT=5000`); `--prefix=` sets the resource prefix.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startLocalCloud, type LocalCloudPorts } from './cloud.js';

const DEFAULT_PORTS = {
  http: 4000,
  ws: 4001,
  dynamodb: 4002,
  fauxqs: 4003,
  eventbridge: 4004,
  kms: 4005,
} as const;
type PortName = keyof typeof DEFAULT_PORTS;

const PortSchema = z.coerce.number().int().min(0).max(65_535);

const { values } = parseArgs({
  options: {
    'http-port': { type: 'string' },
    'ws-port': { type: 'string' },
    'dynamodb-port': { type: 'string' },
    'fauxqs-port': { type: 'string' },
    'eventbridge-port': { type: 'string' },
    'kms-port': { type: 'string' },
    prefix: { type: 'string' },
  },
  strict: true,
});

function port(name: PortName): number {
  const raw = values[`${name}-port`] ?? process.env[`LOCAL_${name.toUpperCase()}_PORT`];
  if (raw === undefined) return DEFAULT_PORTS[name];
  const parsed = PortSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid ${name} port: ${raw}`);
  return parsed.data;
}

const ports: LocalCloudPorts = Object.fromEntries(
  (Object.keys(DEFAULT_PORTS) as PortName[]).map((name) => [name, port(name)]),
);

const cloud = await startLocalCloud({ ports, prefix: values.prefix ?? process.env.LOCAL_PREFIX ?? 'local-' });
const { stack } = cloud;
process.stdout.write(
  [
    'Local cloud is up:',
    `  HTTP API      ${stack.httpUrl}   (try ${stack.httpUrl}/v1/health)`,
    `  WebSocket     ${stack.wsUrl}`,
    `  @connections  ${stack.connectionsUrl}`,
    `  DynamoDB      ${stack.dynamodb}`,
    `  SQS + S3      ${stack.sqs}`,
    `  EventBridge   ${stack.eventbridge}   (bus ${stack.eventBusName})`,
    `  KMS           ${stack.kms}`,
    `  prefix        ${stack.prefix}`,
    'Endpoints written to .local/stack.json. Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local cloud...\n`);
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
