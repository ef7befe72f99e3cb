import type { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { SimulatorEvents } from '../events.js';
import type { Faults } from '../faults.js';
import type { LegacySwitches } from '../legacy.js';
import type { ClientConnection } from '../wire/connection.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { PublicSignedPreKey } from '../world/signal-peer.js';
import type { Account, LinkedDevice } from '../world/types.js';
import type { World } from '../world/world.js';
import type { SyncdState } from '../world/syncd.js';
import type { CallState } from './calls.js';
import type { MediaRetryState } from './media-retry.js';
import type { PresenceState } from './presence.js';
import type { ProfileState } from './profile.js';

/** What a companion announced in its registration handshake, before any phone has accepted it. */
export interface Registration {
  noiseKey: Buffer;
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: PublicSignedPreKey;
  pushName: string;
  refs: string[];
}

/** A pair-success we sent and whose pair-device-sign reply we are waiting for. */
export interface PendingPairSuccess {
  iqId: string;
  account: Account;
  device: LinkedDevice;
  details: Buffer;
  method: 'qr' | 'code';
}

/** Protocol state of one client connection. */
export interface Session {
  conn: ClientConnection;
  registration?: Registration;
  pendingPair?: PendingPairSuccess;
  account?: Account;
  device?: LinkedDevice;
}

export interface SimulatorOptions {
  /** Refs per pair-device (the real server sends 6); Baileys ends with 408 when it runs out. */
  qrRefs: number;
  /** Whether a usync or control call for an unknown number creates a contact (true) or says "not on WhatsApp". */
  autoCreateContacts: boolean;
  /** Delay before the phone pushes the history bootstrap to a newly linked companion. */
  historyBootstrapDelayMs: number;
}

export interface SimContext {
  world: World;
  faults: Faults;
  events: EventEmitter<SimulatorEvents>;
  options: SimulatorOptions;
  /** Drifts of today's server switched back to the early-2026 behaviour (none by default). */
  legacy: LegacySwitches;
  sessions: Map<ClientConnection, Session>;
  /** The connection currently logged in as each device, keyed by deviceKey(). */
  online: Map<string, Session>;
  /** Live QR refs -> the registering session. */
  qrRefs: Map<string, Session>;
  log: (msg: string, extra?: Record<string, unknown>) => void;
  /** `host:port` of the HTTPS media host (what `media_conn` advertises); unset until the simulator started. */
  mediaHost?: string;
  /** Media expiry on the CDN and the phones' re-upload answers (flows/media-retry.ts). */
  mediaRetry: MediaRetryState;
  /** Who is online, who subscribed to whom, and the chat states contacts were shown (flows/presence.ts). */
  presence: PresenceState;
  /** Contacts' profiles (picture, about, business) and accounts' block lists (flows/profile.ts). */
  profiles: ProfileState;
  /** Calls contacts placed to accounts, and how they ended (flows/calls.ts). */
  calls: CallState;
  /** App-state collections per account and each phone's sync key (flows/app-state.ts, flows/phone-app-state.ts). */
  syncd: SyncdState;
}

export const deviceKey = (phone: string, deviceId: number): string => `${phone}:${deviceId}`;

/** Message ids shaped like WhatsApp's (3EB0 + hex) so that Baileys' heuristics treat them as ordinary. */
export const newMessageId = (): string => '3EB0' + randomBytes(8).toString('hex').toUpperCase();

let iqCounter = 0;
export const newServerIqId = (): string => `sim-${Date.now().toString(36)}-${++iqCounter}`;

export const send = (session: Session, n: BinaryNode): Promise<void> => session.conn.send(n);

/**
 * The server's store-and-forward: a stanza for a device goes out now if it is connected, otherwise it waits in
 * the device's offline queue and is flushed (marked offline="1") at its next login.
 */
export const pushToDevice = (
  ctx: SimContext,
  account: Account,
  device: LinkedDevice,
  n: BinaryNode,
): void => {
  const session = ctx.online.get(deviceKey(account.phone, device.id));
  // While the head of the offline queue is held, new stanzas queue behind it.
  if (session?.conn.isOpen && session.device === device && device.offlineHold === undefined) {
    void session.conn.send(n);
    return;
  }
  device.offline.push(n);
};

/**
 * Pushes `n` to the account's companions that are connected now, and to no offline queue: what the server does
 * with notifications a client can fetch again (timelock, capping) or that only matter live. Returns how many got it.
 */
export const pushToOnlineCompanions = (ctx: SimContext, account: Account, n: BinaryNode): number => {
  let pushed = 0;
  for (const device of account.devices.values()) {
    const session = ctx.online.get(deviceKey(account.phone, device.id));
    if (!session?.conn.isOpen || session.device !== device) continue;
    void session.conn.send(n);
    pushed += 1;
  }
  return pushed;
};

export const requireLoggedIn = (session: Session): { account: Account; device: LinkedDevice } => {
  if (!session.account || !session.device) throw new Error('stanza before login');
  return { account: session.account, device: session.device };
};
