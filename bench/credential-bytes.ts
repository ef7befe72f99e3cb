/**
 * Bytes written to credentials per sent message (issue #14), with 0, 100 and 1,000 contacts' Signal sessions in
 * the account, next to the size of the one object the host rewrote per send before (the whole auth state).
 *
 * One linked device on the simulator, its auth state on the real per-key store (DynamoDB Local, the local
 * data-key provider, fenced by a real lease), a real Baileys socket opened the way the host opens it. The
 * contacts' sessions come from real first sends to that many simulated contacts. Then `BENCH_MESSAGES` texts to
 * one contact, each made durable the way the host's send path does it: its key changes and its
 * `sending -> sent` move in one fenced transaction (`flushWith`). Figures: sealed credential bytes and items
 * written per message, transactions per message, the whole-object size and the items held in memory.
 *
 *   npm run bench:credentials                      # 0, 100, 1000 contacts, 20 messages each
 *   BENCH_CONTACTS=0,10 BENCH_MESSAGES=5 npm run bench:credentials
 */
import { BufferJSON, type WASocket } from '@whiskeysockets/baileys';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { SessionAuthStore } from '../session-host/auth-state.js';
import { decodeCredentialValue } from '../session-host/credential-codec.js';
import { openSocket } from '../session-host/connect.js';
import { physicalTableName } from '../shared/definitions/tables.js';
import { newId, nowIso } from '../shared/domain/ids.js';
import type { Message } from '../shared/domain/message.js';
import { phoneToJid } from '../shared/domain/phone.js';
import { trustSimulator } from '../simulator/trust.js';
import { emit, emitMachine, progress, round } from './support/figures.js';
import { startCloudWorld, startSimWorld, type CloudWorld } from './support/world.js';

const BENCH = 'credentials';
const CONTACTS = (process.env['BENCH_CONTACTS'] ?? '0,100,1000').split(',').map(Number);
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 20);

const contactPhone = (run: number, i: number): string =>
  `+1880${String(run).padStart(2, '0')}${String(i).padStart(6, '0')}`;

function opened(socket: WASocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.ev.on('connection.update', (update) => {
      if (update.connection === 'open') resolve();
      if (update.connection === 'close') reject(new Error(`closed: ${String(update.lastDisconnect?.error)}`));
    });
  });
}

/** The old layout's object, rebuilt from the items: `{ v: 1, creds, keys }` as JSON (before sealing). */
async function wholeObjectBytes(
  cloud: CloudWorld,
  sessionId: string,
  auth: SessionAuthStore,
): Promise<number> {
  const out: Record<string, Record<string, unknown>> = {};
  const keys: { type: string; id: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await cloud.adapters.clients.dynamo.send(
      new QueryCommand({
        TableName: physicalTableName(cloud.cloud.stack.prefix, 'credentials'),
        KeyConditionExpression: 'sessionId = :s',
        ExpressionAttributeValues: { ':s': sessionId },
        ProjectionExpression: 'itemKey',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const key = String(item['itemKey']);
      const at = key.indexOf('#');
      if (at > 0) keys.push({ type: key.slice(0, at), id: key.slice(at + 1) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const store = await cloud.adapters.credentials.open(sessionId, { hostId: 'bench-reader', leaseEpoch: -1 });
  try {
    for (const item of await store.read(keys)) {
      (out[item.type] ??= {})[item.id] = decodeCredentialValue(item.type, item.value);
    }
  } finally {
    store.close();
  }
  return Buffer.byteLength(JSON.stringify({ v: 1, creds: auth.state.creds, keys: out }, BufferJSON.replacer));
}

async function scenario(
  cloud: CloudWorld,
  world: Awaited<ReturnType<typeof startSimWorld>>,
  run: number,
  contacts: number,
) {
  const { creds } = await world.provision(70 + run, 1);
  const sessionId = await cloud.seedSession(creds[0] ?? '');
  const hostId = `bench-host-${sessionId}`;
  const claimed = await cloud.adapters.sessions.claim(sessionId, hostId, 3_600_000, Date.now());
  if (!claimed) throw new Error('could not claim the bench session');
  const auth = await SessionAuthStore.load({
    credentials: cloud.adapters.credentials,
    sessionId,
    fence: { hostId, leaseEpoch: claimed.leaseEpoch ?? 0 },
    // Only the explicit flushes below write: each one is what a send (or a contact's first send) costs.
    debounceMs: 3_600_000,
    onWriteError: (error) => progress('credentials write failed', { error: String(error) }),
  });
  progress('credentials loaded', { sessionId, linked: auth.linked });
  const socket = openSocket({
    auth,
    waUrl: world.sim.wsUrl,
    logger: pino({ level: 'silent' }),
    qrTimeoutMs: 60_000,
    onConnectionUpdate: () => undefined,
  });
  try {
    if (!auth.linked) throw new Error('the seeded device is not linked');
    await opened(socket);
    progress('connected');
    await auth.flush(); // the prekey upload of the first login
    for (let i = 0; i < contacts; i++) {
      const phone = contactPhone(run, i);
      world.sim.addContact(phone, `Contact ${i}`);
      await socket.sendMessage(phoneToJid(phone), { text: `hello ${i}` });
      if (i % 50 === 49) {
        await auth.flush();
        progress('contacts', { contacts: i + 1 });
      }
    }
    const target = contactPhone(run, 999_999);
    world.sim.addContact(target, 'Target');
    await socket.sendMessage(phoneToJid(target), { text: 'first' });
    await auth.flush();

    const whole = await wholeObjectBytes(cloud, sessionId, auth);
    const before = { ...auth.stats };
    for (let m = 0; m < MESSAGES; m++) {
      const at = nowIso();
      const message: Message = {
        id: newId(),
        tenantId: claimed.tenantId,
        sessionId,
        direction: 'outbound',
        chatJid: phoneToJid(target),
        to: target,
        type: 'text',
        content: { type: 'text', text: { body: `message ${m}` } },
        status: 'sending',
        statusHistory: [{ status: 'sending', at }],
        createdAt: at,
        updatedAt: at,
      };
      await cloud.adapters.messages.create(message);
      await socket.sendMessage(phoneToJid(target), { text: `message ${m}` });
      const { part } = cloud.adapters.messages.advanceStatusPart(message, 'sent', { at: nowIso() });
      const outcome = await auth.flushWith(part);
      if (!outcome.applied) throw new Error('the sent move was refused');
    }
    const bytes = auth.stats.bytes - before.bytes;
    emit(BENCH, 'host', {
      contacts,
      messages: MESSAGES,
      credentialBytesPerMessage: round(bytes / MESSAGES, 0),
      itemsPerMessage: round((auth.stats.items - before.items) / MESSAGES, 2),
      transactionsPerMessage: round((auth.stats.transactions - before.transactions) / MESSAGES, 2),
      wholeObjectBytes: whole,
      itemsInMemory: auth.cachedItems,
    });
  } finally {
    socket.end(undefined);
    auth.close();
    await cloud.adapters.sessions.release(sessionId, hostId);
  }
}

emitMachine(BENCH);
const world = await startSimWorld();
trustSimulator(world.sim.rootPublicKey);
const cloud = await startCloudWorld(world.sim);
try {
  for (const [run, contacts] of CONTACTS.entries()) {
    progress('scenario', { contacts });
    await scenario(cloud, world, run, contacts);
  }
} finally {
  await cloud.stop();
  await world.stop();
}
