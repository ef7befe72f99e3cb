/**
 * Opening one Baileys socket for a session: the auth state from the credentials store, the host's WhatsApp URL,
 * Baileys' logs into the host's JSON stream, and the events the runner follows. Every socket carries the runner's
 * generation number so events of an old socket (after a restart) are never mistaken for the current one's.
 */
import { Agent } from 'node:https';
import makeWASocket, {
  Browsers,
  type CacheStore,
  type ConnectionState,
  type WAMessageKey,
  type WASocket,
  type WAVersion,
  type proto,
} from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { SessionAuthStore } from './auth-state.js';
import { INBOUND_COMPAT_SOCKET_CONFIG } from './compat/lid-decrypt.js';

export interface OpenSocketOptions {
  readonly auth: SessionAuthStore;
  readonly waUrl: string;
  readonly logger: Logger;
  readonly qrTimeoutMs: number;
  /** PEM of an extra certificate to trust for media uploads (`APP_WA_MEDIA_CA`, the simulator's media host). */
  readonly mediaCa?: string;
  /** WhatsApp Web version to announce (`APP_WA_VERSION`); Baileys' shipped one when unset. */
  readonly version?: WAVersion;
  readonly onConnectionUpdate: (update: Partial<ConnectionState>) => void;
  /** Answers retry receipts with our sent message (session-host/compat/retry-receipts.ts). */
  readonly getMessage?: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
  /** The session's retry counter, the same object for every socket of the runner. */
  readonly msgRetryCounterCache?: CacheStore;
}

export function openSocket(options: OpenSocketOptions): WASocket {
  const { auth } = options;
  // A pairing code request sets `me` before the device is linked; a new socket must register, not log in.
  if (!auth.linked && auth.state.creds.me) auth.updateCreds({ me: undefined, pairingCode: undefined });
  const socket = makeWASocket({
    auth: auth.state,
    waWebSocketUrl: options.waUrl,
    logger: options.logger,
    // Today's server refuses pairing codes for a platform display it does not know ("Chrome (Ubuntu)" unverified).
    browser: Browsers.windows('Chrome'),
    qrTimeout: options.qrTimeoutMs,
    connectTimeoutMs: 20_000,
    // A server process is not a user at a keyboard: do not show "online" to contacts, do not pull full history.
    markOnlineOnConnect: false,
    syncFullHistory: false,
    // App-state patches (archive, pin, mute...) are checked against their MACs: Baileys' default applies a
    // tampered or forged patch as if the account's phone had made it.
    appStateMacVerification: { patch: true, snapshot: true },
    // Baileys uses `fetchAgent` only for uploads (Node's https module); downloads go through fetch and are untouched.
    ...(options.mediaCa ? { fetchAgent: mediaAgent(options.mediaCa) } : {}),
    ...(options.getMessage ? { getMessage: options.getMessage } : {}),
    ...(options.msgRetryCounterCache ? { msgRetryCounterCache: options.msgRetryCounterCache } : {}),
    // The patched Baileys' fixes for inbound after the LID migration (compat/lid-decrypt.ts).
    ...INBOUND_COMPAT_SOCKET_CONFIG,
    ...(options.version ? { version: options.version } : {}),
  });
  socket.ev.on('creds.update', (update) => auth.updateCreds(update));
  socket.ev.on('connection.update', options.onConnectionUpdate);
  return socket;
}

const mediaAgents = new Map<string, Agent>();

/** One keep-alive agent per certificate, shared by every socket of the host. */
function mediaAgent(ca: string): Agent {
  let agent = mediaAgents.get(ca);
  if (!agent) {
    agent = new Agent({ ca, keepAlive: true });
    mediaAgents.set(ca, agent);
  }
  return agent;
}

/** The status code of a close, from Baileys' Boom error. */
export function closeStatusCode(update: Partial<ConnectionState>): number | undefined {
  const error = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined;
  return error?.output?.statusCode;
}

/** `+<digits>` of the linked account, from `creds.me.id` (`15551234567:3@s.whatsapp.net`). */
export function linkedPhone(auth: SessionAuthStore): string | undefined {
  const id = auth.state.creds.me?.id;
  const user = id?.split('@')[0]?.split(':')[0]?.split('_')[0];
  return user && /^[1-9]\d{6,14}$/.test(user) ? `+${user}` : undefined;
}

export function linkedPushName(auth: SessionAuthStore): string | undefined {
  const name = auth.state.creds.me?.name;
  return name && name !== '~' ? name : undefined;
}
