import type { EventEmitter } from 'node:events';
import { Agent } from 'node:https';
import makeWASocket, { Browsers, DisconnectReason } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  BaileysEventMap,
  UserFacingSocketConfig,
  WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import type { StanzaEvent } from '../../simulator/events.js';
import { handleCompanionRegRefresh, withAdvSecret } from '../../session-host/compat/pair-refresh.js';
import { memoryAuthState, type WhatsAppSimulator } from '../../simulator/index.js';

export { DisconnectReason };

/** Auth state in memory: what useMultiFileAuthState does, minus the disk. */
export const memoryAuth = (creds?: AuthenticationCreds): AuthenticationState => memoryAuthState(creds);

export const silentLogger = pino({ level: process.env.BAILEYS_LOG ?? 'silent' });

export const connect = (
  sim: WhatsAppSimulator | string,
  auth: AuthenticationState,
  config: Partial<UserFacingSocketConfig> = {},
): WASocket => {
  const sock = makeWASocket({
    auth,
    waWebSocketUrl: typeof sim === 'string' ? sim : sim.wsUrl,
    logger: silentLogger,
    // What the session host sends: today's server refuses pairing codes for displays it does not know.
    browser: Browsers.windows('Chrome'),
    connectTimeoutMs: 20_000,
    ...config,
  });
  sock.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  return sock;
};

/**
 * Baileys' `fetchAgent` for a socket that uploads media to the simulator: trusts the media host's self-signed
 * certificate (what the session host does with `APP_WA_MEDIA_CA`). Downloads do not use it.
 */
export const mediaAgent = (sim: WhatsAppSimulator): Agent => new Agent({ ca: sim.mediaCaPem });

export const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** Next Baileys event of `name` that satisfies `pred`. */
export const nextEvent = <K extends keyof BaileysEventMap>(
  sock: WASocket,
  name: K,
  pred: (arg: BaileysEventMap[K]) => boolean = () => true,
  ms = 15_000,
): Promise<BaileysEventMap[K]> =>
  withTimeout(
    new Promise<BaileysEventMap[K]>((resolve) => {
      const listener = (arg: BaileysEventMap[K]): void => {
        if (!pred(arg)) return;
        sock.ev.off(name, listener);
        resolve(arg);
      };
      sock.ev.on(name, listener);
    }),
    ms,
    `baileys event ${name}`,
  );

/** Next simulator event of `name` that satisfies `pred`. */
export const nextSimEvent = <A extends unknown[]>(
  emitter: EventEmitter,
  name: string,
  pred: (...args: A) => boolean = () => true,
  ms = 15_000,
): Promise<A> =>
  withTimeout(
    new Promise<A>((resolve) => {
      const listener = (...args: unknown[]): void => {
        if (!pred(...(args as A))) return;
        emitter.off(name, listener);
        resolve(args as A);
      };
      emitter.on(name, listener);
    }),
    ms,
    `simulator event ${name}`,
  );

export const statusCodeOf = (update: BaileysEventMap['connection.update']): number | undefined =>
  (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

/** Resolves with the status code Baileys reports when this socket closes. */
export const closeCode = (sock: WASocket, ms = 15_000): Promise<number | undefined> =>
  nextEvent(sock, 'connection.update', (u) => u.connection === 'close', ms).then(statusCodeOf);

export const opened = (sock: WASocket, ms = 15_000): Promise<void> =>
  nextEvent(sock, 'connection.update', (u) => u.connection === 'open', ms).then(() => undefined);

export interface Linked {
  sock: WASocket;
  qrs: string[];
  closeCodes: number[];
}

const quietLog = { info: () => undefined, warn: () => undefined };

/**
 * What a product does to link a number: connect, let the phone scan the QR (through `scan`), follow today's
 * `companion_reg_refresh` as the session host does (rotate the adv secret, scan the re-drawn QR), follow the 515
 * restart, stop at `open`.
 */
export const linkWithQr = async (
  sim: WhatsAppSimulator | string,
  auth: AuthenticationState,
  scan: (qr: string) => Promise<unknown>,
  config: Partial<UserFacingSocketConfig> = {},
): Promise<Linked> => {
  const qrs: string[] = [];
  const closeCodes: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const sock = connect(sim, auth, config);
    let shown: string | undefined;
    const show = (qr: string): void => {
      shown = withAdvSecret(qr, auth.creds.advSecretKey);
      qrs.push(shown);
      void scan(shown);
    };
    handleCompanionRegRefresh(sock, {
      creds: auth.creds,
      persist: () => undefined, // the creds object is the store
      onRotated: () => shown && show(shown),
      log: quietLog,
    });
    const outcome = await withTimeout(
      new Promise<'open' | number>((resolve) => {
        sock.ev.on('connection.update', (u) => {
          if (u.qr) show(u.qr);
          if (u.connection === 'open') resolve('open');
          if (u.connection === 'close') resolve(statusCodeOf(u) ?? 0);
        });
      }),
      30_000,
      'link with QR',
    );
    if (outcome === 'open') return { sock, qrs, closeCodes };
    closeCodes.push(outcome);
    if (outcome !== DisconnectReason.restartRequired) throw new Error(`closed with ${outcome} while linking`);
  }
  throw new Error('too many restarts while linking');
};

/** Ends sockets quietly (no logout), for afterAll. */
export const endAll = (socks: Iterable<WASocket | undefined>): void => {
  for (const s of socks) {
    try {
      s?.end(undefined);
    } catch {
      // already closed
    }
  }
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined), for state that changes without an event. */
export const eventually = async <T>(
  check: () => T | undefined,
  ms = 10_000,
  what = 'condition',
): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await sleep(20);
  }
};

export interface StatusSeen {
  status: number;
  stubParameters?: string[];
}

/**
 * Statuses of own messages as a product sees them. Baileys folds an update into an upsert still in its event
 * buffer, so a status can arrive on either event.
 */
export const trackStatuses = (sock: WASocket): Map<string, StatusSeen[]> => {
  const seen = new Map<string, StatusSeen[]>();
  const add = (
    id: string | null | undefined,
    status: number | null | undefined,
    params?: string[] | null,
  ): void => {
    if (!id || status === undefined || status === null) return;
    const list = seen.get(id) ?? [];
    list.push({ status, ...(params ? { stubParameters: params } : {}) });
    seen.set(id, list);
  };
  sock.ev.on('messages.upsert', (u) => {
    for (const m of u.messages) if (m.key.fromMe) add(m.key.id, m.status, m.messageStubParameters);
  });
  sock.ev.on('messages.update', (ups) => {
    for (const u of ups) add(u.key.id, u.update.status, u.update.messageStubParameters);
  });
  return seen;
};

/**
 * Resolves once the companion acked `n` retry receipts for message `id`: Baileys acks a receipt after handling it,
 * so by then any resend it decided on is on the wire.
 */
export const retryReceiptAcks = (sim: WhatsAppSimulator, id: string, n = 1, ms = 10_000): Promise<void> =>
  withTimeout(
    new Promise<void>((resolve) => {
      let seen = 0;
      const listener = ({ direction, node }: StanzaEvent): void => {
        if (direction !== 'in' || node.tag !== 'ack' || node.attrs.id !== id) return;
        if (node.attrs.class !== 'receipt' || node.attrs.type !== 'retry') return;
        if (++seen < n) return;
        sim.events.off('stanza', listener);
        resolve();
      };
      sim.events.on('stanza', listener);
    }),
    ms,
    `${n} retry receipt ack(s) for ${id}`,
  );

/**
 * Waits until contact `contact` saw its message `id` delivered, i.e. the companion's receipt reached the
 * simulator (which also settles the contact's Signal session with that companion: see flows/lid-addressing.ts).
 */
export const delivered = (sim: WhatsAppSimulator, contact: string, id: string): Promise<true> =>
  eventually(
    () => (sim.outbox(contact).find((e) => e.id === id)?.status === 'delivered' ? true : undefined),
    10_000,
    `${id} delivered`,
  );
