/**
 * The baseline side: bare Baileys sockets in one process, with in-memory auth state and the same socket options
 * the session host uses, connected to the simulator the parent runs. Nothing else is loaded (no AWS SDK, no
 * host), so the memory per socket is what Baileys itself costs on this Node.
 */
import makeWASocket, { Browsers, BufferJSON } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, SignalDataSet, WASocket } from '@whiskeysockets/baileys';
import pino from 'pino';
import { memoryAuthState } from '../../simulator/memory-auth.js';
import { trustSimulator } from '../../simulator/trust.js';
import { measureCpu, measureMemory, reply, serveParent } from '../support/ipc.js';

const waUrl = process.env['BENCH_WA_URL'] ?? '';
trustSimulator(process.env['BENCH_ROOT_KEY'] ?? '');
const logger = pino({ level: 'silent' });
const sockets: WASocket[] = [];

async function open(serialized: string, keys?: string): Promise<WASocket> {
  const creds = JSON.parse(serialized, BufferJSON.reviver) as AuthenticationCreds;
  const auth = memoryAuthState(creds);
  // Parsed per socket, so each holds its own copy as a real device would.
  if (keys) await auth.keys.set(JSON.parse(keys, BufferJSON.reviver) as SignalDataSet);
  const socket = makeWASocket({
    auth,
    waWebSocketUrl: waUrl,
    logger,
    browser: Browsers.ubuntu('Chrome'),
    connectTimeoutMs: 20_000,
    markOnlineOnConnect: false,
    syncFullHistory: false,
  });
  socket.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.ev.on('connection.update', (update) => {
      if (update.connection === 'open') resolve(socket);
      if (update.connection === 'close')
        reject(new Error(`socket closed: ${String(update.lastDisconnect?.error)}`));
    });
  });
}

serveParent(async (message) => {
  switch (message.type) {
    case 'connect': {
      const started = Date.now();
      const queue = [...message.creds];
      const worker = async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift())
          await open(next, message.keys);
      };
      await Promise.all(Array.from({ length: message.concurrency }, worker));
      reply({ type: 'connected', count: sockets.length, elapsedMs: Date.now() - started });
      return;
    }
    case 'measure':
      reply({ type: 'memory', memory: measureMemory(), sessions: sockets.length });
      return;
    case 'send': {
      const socket = sockets[0];
      if (!socket) throw new Error('no socket to send on');
      const startedAt: number[] = [];
      // The loop every bare Baileys integration writes; it never yields between sends.
      for (const text of message.texts) {
        startedAt.push(Date.now());
        await socket.sendMessage(message.to, { text });
      }
      reply({ type: 'sent', startedAt, endedAt: Date.now() });
      return;
    }
    case 'cpu':
      reply(measureCpu());
      return;
    case 'exit':
      for (const socket of sockets) socket.end(undefined);
      process.exit(0);
  }
});

reply({ type: 'ready', memory: measureMemory() });
