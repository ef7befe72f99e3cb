/**
 * `npm start`: the whole product locally — the local cloud on fixed ports (HTTP 4000, WebSocket 4001, then
 * 4002...), session host process(es), the console page — printed on start and written to `.local/stack.json`;
 * stops cleanly on SIGINT/SIGTERM.
 *
 *   npm start                      hosts talk to the real WhatsApp (needs the internet)
 *   npm start -- --simulator       also starts the WhatsApp simulator and points the hosts at it (offline demo)
 *   npm start -- --hosts 3         runs 3 session host processes
 *   npm start -- --hosts 0         the control plane only
 *
 * Ports can be changed with flags (`--http-port=5000`) or environment variables (`LOCAL_HTTP_PORT=5000`);
 * `--prefix=` sets the resource prefix.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LocalCloudPorts } from './cloud.js';
import { startLocalProduct } from './product.js';

const DEFAULT_PORTS = {
  http: 4000,
  ws: 4001,
  dynamodb: 4002,
  fauxqs: 4003,
  eventbridge: 4004,
  kms: 4005,
  simulator: 4006,
} as const;
type PortName = keyof typeof DEFAULT_PORTS;

const PortSchema = z.coerce.number().int().min(0).max(65_535);
const HostCountSchema = z.coerce.number().int().min(0).max(32);

const { values } = parseArgs({
  options: {
    'http-port': { type: 'string' },
    'ws-port': { type: 'string' },
    'dynamodb-port': { type: 'string' },
    'fauxqs-port': { type: 'string' },
    'eventbridge-port': { type: 'string' },
    'kms-port': { type: 'string' },
    'simulator-port': { type: 'string' },
    prefix: { type: 'string' },
    simulator: { type: 'boolean', default: false },
    hosts: { type: 'string', default: '1' },
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

const hostCount = HostCountSchema.safeParse(values.hosts);
if (!hostCount.success) throw new Error(`--hosts must be a whole number from 0 to 32, got ${values.hosts}`);

const ports: LocalCloudPorts & { simulator: number } = {
  http: port('http'),
  ws: port('ws'),
  dynamodb: port('dynamodb'),
  fauxqs: port('fauxqs'),
  eventbridge: port('eventbridge'),
  kms: port('kms'),
  simulator: port('simulator'),
};

const product = await startLocalProduct({
  ports,
  prefix: values.prefix ?? process.env.LOCAL_PREFIX ?? 'local-',
  simulator: values.simulator,
  hosts: hostCount.data,
  // The console is built now and again on every change under web/.
  console: 'watch',
});
const { stack } = product;
process.stdout.write(
  [
    'The platform is up locally:',
    `  API           ${stack.apiUrl}   (try ${stack.apiUrl}/v1/health)`,
    `  Console       ${stack.consoleUrl}`,
    `  WebSocket     ${stack.wsUrl}`,
    `  Operator key  ${stack.operatorKey}`,
    ...(stack.tenantApiKey ? [`  Tenant key    ${stack.tenantApiKey}   (tenant ${stack.tenantId})`] : []),
    ...(stack.simulator
      ? [`  Simulator     ${stack.simulator.wsUrl}   control ${stack.simulator.controlUrl}`]
      : []),
    `  Hosts         ${stack.hostPids.length === 0 ? 'none' : `pids ${stack.hostPids.join(', ')}`}`,
    `  @connections  ${stack.connectionsUrl}`,
    `  DynamoDB      ${stack.dynamodb}`,
    `  SQS + S3      ${stack.sqs}`,
    `  EventBridge   ${stack.eventbridge}   (bus ${stack.eventBusName})`,
    `  KMS           ${stack.kms}`,
    `  prefix        ${stack.prefix}`,
    'Endpoints and keys written to .local/stack.json. Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    product.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
