import { parseArgs } from 'node:util';
import { briefNode } from './wire/nodes.js';
import { legacyBehaviourSchema } from './legacy.js';
import { WhatsAppSimulator } from './simulator.js';

/**
 * `npm run simulator -- [--port N] [--media-port N] [--host H] [--contact 15550002222:Alice]... [--legacy <behaviour>]... [--trace]`
 * stdout carries exactly one JSON line ({wsUrl, controlUrl, rootPublicKey, mediaHost, mediaCaPem}) so a parent process can read it;
 * everything else goes to stderr.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'media-port': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    contact: { type: 'string', multiple: true, default: [] },
    'qr-refs': { type: 'string' },
    legacy: { type: 'string', multiple: true, default: [] },
    trace: { type: 'boolean', default: false },
  },
});

const log = (msg: string, extra?: Record<string, unknown>): void => {
  process.stderr.write(JSON.stringify({ t: new Date().toISOString(), msg, ...extra }) + '\n');
};

const port = Number(values.port);
const mediaPort = Number(values['media-port']);
for (const [flag, value] of [
  ['--port', port],
  ['--media-port', mediaPort],
] as const) {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    log(`invalid ${flag}`, { value });
    process.exit(2);
  }
}

const sim = new WhatsAppSimulator({
  logger: log,
  ...(values['qr-refs'] ? { qrRefs: Number(values['qr-refs']) } : {}),
  legacy: values.legacy.map((b) => legacyBehaviourSchema.parse(b)),
});
for (const spec of values.contact) {
  const [phone = '', name] = spec.split(':');
  sim.addContact(phone, name);
}
if (values.trace) {
  sim.events.on('stanza', (e) => log(e.direction === 'in' ? 'C->S' : 'S->C', { stanza: briefNode(e.node) }));
}
sim.events.on('problem', (e) => log('problem', { error: String(e.error) }));

const address = await sim.start({ port, mediaPort, host: values.host });
process.stdout.write(JSON.stringify(address) + '\n');

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log('stopping', { signal });
  sim.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
