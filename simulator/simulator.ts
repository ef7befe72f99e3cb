import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Curve } from '@whiskeysockets/baileys';
import { createControlHandler } from './control/http.js';
import { createMediaHostHandler, makeMediaCertificate } from './control/media-host.js';
import { SimulatorError } from './errors.js';
import type { SimulatorEvents } from './events.js';
import { Faults, faultSchema } from './faults.js';
import { LegacySwitches, legacyBehaviourSchema } from './legacy.js';
import type { LegacyBehaviour } from './legacy.js';
import type { FaultInput } from './faults.js';
import { deviceKey } from './flows/context.js';
import type { Session, SimContext, SimulatorOptions } from './flows/context.js';
import { onHandshake } from './flows/handshake.js';
import { unlinkFromPhone } from './flows/logout.js';
import { forgetRegistration, scanQr } from './flows/pair.js';
import { enterPairingCode } from './flows/pair-code.js';
import { linkedDevicesOpened, rotatePairingCode, sendPasskeyPrologue } from './flows/pair-code-variants.js';
import { setRefreshChild } from './flows/pair-refresh.js';
import type { RefreshChild } from './flows/pair-refresh.js';
import { isMediaExpired, MediaRetryState, mediaRetryReplySchema } from './flows/media-retry.js';
import type { MediaRetryReply, MediaRetryReplyInput } from './flows/media-retry.js';
import {
  contactChatState,
  PresenceState,
  setContactPresence,
  type ChatStateKind,
  type ChatStateSeen,
  type ContactPresence,
} from './flows/presence.js';
import { ProfileState, type ContactProfile } from './flows/profile.js';
import { CallState, contactCalls, type CallOptions, type CallRecord } from './flows/calls.js';
import { endStreamsWithAck } from './flows/stream-error.js';
import type { CodeRequests } from './flows/pair-code.js';
import { provisionDevice } from './flows/provision.js';
import type { ProvisionRequest, ProvisionResult } from './flows/provision.js';
import { contactSendsReceipt } from './flows/receipts.js';
import { contactSends, contactSendsMedia } from './flows/receive.js';
import { ContactActions } from './contact-actions.js';
import { PhoneChats } from './phone-chats.js';
import { SyncdState } from './world/syncd.js';
import { GroupActions } from './group-actions.js';
import { announceContactDevice } from './flows/device-notify.js';
import type { ContactMedia } from './flows/receive.js';
import { routeStanza } from './flows/router.js';
import {
  DEFAULT_ENFORCEMENT_TYPE,
  pushMessageCapping,
  setReachoutTimelock,
  setTrustToken,
  timelockOf,
} from './flows/timelock.js';
import type { MessageCappingInfo, ReachoutTimelock } from './flows/timelock.js';
import { failNextDecryptions, sendRetryReceipt } from './flows/retry-receipts.js';
import type { DecryptFailureInput, RetryReceiptInput } from './flows/retry-receipts.js';
import { addContactCompanion } from './flows/lid-addressing.js';
import { enqueueUndecryptableStatus } from './flows/offline-queue.js';
import { makeCertChain } from './wire/cert.js';
import { ClientConnection } from './wire/connection.js';
import type { ConnectionHandler } from './wire/connection.js';
import type { Account, Addressing, Contact, InboxEntry, LinkedDevice, OutboxEntry } from './world/types.js';
import { lidJid, normalizePhone, pnJid, World } from './world/world.js';
import { pushOddNotification } from './flows/odd-notification.js';
import type { NotificationChild } from './flows/odd-notification.js';

export interface DeviceView {
  id: number;
  jid: string;
  lid: string;
  online: boolean;
  linkedAt: number;
}

export interface AccountView {
  phone: string;
  name: string;
  jid: string;
  lid: string;
  devices: DeviceView[];
}

export interface ContactView {
  phone: string;
  name: string;
  jid: string;
  lid: string;
  addressing: Addressing;
}

/** A QR scan's result: linked (pair-success sent), or today's `companion_reg_refresh` came first (rescan). */
export type QrScanView = ({ outcome: 'paired' } & DeviceView) | { outcome: 'refreshed'; ref: string };

export interface SimulatorAddress {
  wsUrl: string;
  controlUrl: string;
  rootPublicKey: string;
  /** `127.0.0.1:<port>` of the HTTPS media host companions upload to (what `media_conn` answers). */
  mediaHost: string;
  /** The media host's self-signed certificate (PEM, new for every start): what an uploading client must trust. */
  mediaCaPem: string;
}

export interface WhatsAppSimulatorOptions extends Partial<SimulatorOptions> {
  /** Drifts of today's server to switch back to the early-2026 behaviour (see simulator/legacy.ts). */
  legacy?: LegacyBehaviour[];
  /** Receives the simulator's own log lines; silent by default. */
  logger?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Age after which the CDN answers 410 for a contact's file (default 18 days; see flows/media-retry.ts). */
  mediaMaxAgeMs?: number;
}

const DEFAULTS: SimulatorOptions = { qrRefs: 6, autoCreateContacts: true, historyBootstrapDelayMs: 50 };

/**
 * A WhatsApp Web server that real Baileys can log into: one HTTP port serves the WebSocket at /ws/chat and the
 * JSON control API at /. Every control operation is also a method here, for in-process tests.
 */
export class WhatsAppSimulator {
  readonly events = new EventEmitter<SimulatorEvents>();
  private readonly world = new World();
  private readonly faults = new Faults();
  private readonly rootKey = Curve.generateKeyPair();
  private readonly staticKey = Curve.generateKeyPair();
  private readonly certChain = makeCertChain(this.rootKey, this.staticKey);
  private readonly codeRequests: CodeRequests = new Map();
  private readonly ctx: SimContext;
  /** Contacts sending locations, contact cards, polls, votes, edits and revokes (contact-actions.ts). */
  readonly contactActions: ContactActions;
  /** Accounts' phones archiving, pinning, muting and marking chats through app state (phone-chats.ts). */
  readonly phoneChats: PhoneChats;
  /** Groups: what contacts do in them, and what the server holds (group-actions.ts). */
  readonly groups: GroupActions;
  private http: Server | undefined;
  private https: HttpsServer | undefined;
  private wss: WebSocketServer | undefined;
  private address: SimulatorAddress | undefined;

  constructor(options: WhatsAppSimulatorOptions = {}) {
    const { logger, legacy, mediaMaxAgeMs, ...rest } = options;
    const mediaRetry = new MediaRetryState();
    if (mediaMaxAgeMs !== undefined) mediaRetry.maxAgeMs = mediaMaxAgeMs;
    this.ctx = {
      world: this.world,
      faults: this.faults,
      events: this.events,
      options: { ...DEFAULTS, ...rest },
      legacy: new LegacySwitches(legacy),
      sessions: new Map(),
      online: new Map(),
      qrRefs: new Map(),
      log: logger ?? (() => {}),
      mediaRetry,
      presence: new PresenceState(),
      profiles: new ProfileState(),
      calls: new CallState(),
      syncd: new SyncdState(),
    };
    this.contactActions = new ContactActions(this.ctx);
    this.phoneChats = new PhoneChats(this.ctx);
    this.groups = new GroupActions(this.ctx);
  }

  /** Hex of the root key Baileys must trust (see trustSimulator). Available before start(). */
  get rootPublicKey(): string {
    return Buffer.from(this.rootKey.public).toString('hex');
  }

  get wsUrl(): string {
    return this.requireStarted().wsUrl;
  }

  get controlUrl(): string {
    return this.requireStarted().controlUrl;
  }

  /** `127.0.0.1:<port>` of the HTTPS media host. */
  get mediaHost(): string {
    return this.requireStarted().mediaHost;
  }

  /** The media host's certificate (PEM): pass `new https.Agent({ ca })` as Baileys' `fetchAgent` to upload. */
  get mediaCaPem(): string {
    return this.requireStarted().mediaCaPem;
  }

  private requireStarted(): SimulatorAddress {
    if (!this.address) throw new Error('simulator not started');
    return this.address;
  }

  /** Listens on `port` (WebSocket and control API) and `mediaPort` (HTTPS media host); 0 = a free port. */
  async start(opts: { port?: number; host?: string; mediaPort?: number } = {}): Promise<SimulatorAddress> {
    if (this.address) return this.address;
    const host = opts.host ?? '127.0.0.1';
    const certificate = await makeMediaCertificate(host);
    const media = createHttpsServer(
      { cert: certificate.cert, key: certificate.key },
      createMediaHostHandler({
        world: this.world,
        hostname: () => this.ctx.mediaHost ?? '',
        log: this.ctx.log,
        onUpload: (upload) => this.events.emit('media-upload', upload),
      }),
    );
    await new Promise<void>((resolve, reject) => {
      media.once('error', reject);
      media.listen(opts.mediaPort ?? 0, host, () => resolve());
    });
    const mediaHost = `${host}:${(media.address() as AddressInfo).port}`;
    const http = createServer(createControlHandler(this));
    const wss = new WebSocketServer({ noServer: true });
    http.on('upgrade', (req, socket, head) => {
      if (!(req.url ?? '').startsWith('/ws/chat')) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new ClientConnection(ws, this.staticKey, this.certChain, this.handler);
        this.ctx.sessions.set(conn, { conn });
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? 0, host, () => resolve());
    }).catch(async (error: unknown) => {
      await new Promise<void>((resolve) => media.close(() => resolve()));
      throw error;
    });
    const { port } = http.address() as AddressInfo;
    this.http = http;
    this.https = media;
    this.wss = wss;
    this.ctx.mediaHost = mediaHost;
    this.address = {
      wsUrl: `ws://${host}:${port}/ws/chat`,
      controlUrl: `http://${host}:${port}`,
      rootPublicKey: this.rootPublicKey,
      mediaHost,
      mediaCaPem: certificate.cert,
    };
    this.ctx.log('listening', { wsUrl: this.address.wsUrl, controlUrl: this.address.controlUrl, mediaHost });
    return this.address;
  }

  /** Closes every client socket and the listener; resolves when the port is free. */
  async stop(): Promise<void> {
    const http = this.http;
    if (!http) return;
    for (const conn of this.ctx.sessions.keys()) conn.terminate();
    this.wss?.close();
    http.closeAllConnections();
    const media = this.https;
    media?.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => http.close(() => resolve())),
      new Promise<void>((resolve) => (media ? media.close(() => resolve()) : resolve())),
    ]);
    this.http = undefined;
    this.https = undefined;
    this.ctx.mediaHost = undefined;
    this.wss = undefined;
    this.address = undefined;
  }

  private readonly handler: ConnectionHandler = {
    onHandshake: async (conn, result) => onHandshake(this.ctx, this.session(conn), result),
    onNode: async (conn, n) => routeStanza(this.ctx, this.codeRequests, this.session(conn), n),
    onStanza: (conn, direction, n) => {
      const s = this.ctx.sessions.get(conn);
      this.events.emit('stanza', {
        direction,
        node: n,
        connectionId: conn.id,
        ...(s?.account ? { phone: s.account.phone } : {}),
        ...(s?.device ? { deviceId: s.device.id } : {}),
      });
    },
    onClose: (conn) => {
      const s = this.ctx.sessions.get(conn);
      this.ctx.sessions.delete(conn);
      if (!s) return;
      forgetRegistration(this.ctx, s);
      for (const [phone, req] of this.codeRequests) if (req.session === s) this.codeRequests.delete(phone);
      if (s.account && s.device) {
        const key = deviceKey(s.account.phone, s.device.id);
        if (this.ctx.online.get(key) === s) this.ctx.online.delete(key);
        this.ctx.presence.forgetSubscriptionsIfOffline(s.account.phone, this.ctx.online.keys());
      }
      this.events.emit('disconnect', {
        connectionId: conn.id,
        ...(s.account ? { phone: s.account.phone } : {}),
        ...(s.device ? { deviceId: s.device.id } : {}),
      });
    },
    onError: (conn, error) => {
      this.ctx.log('connection error', { connectionId: conn.id, error: String(error) });
      this.events.emit('problem', { connectionId: conn.id, error });
    },
    outgoingDelayMs: (conn) => this.faults.delayMs(this.ctx.sessions.get(conn)?.account?.phone),
  };

  private session(conn: ClientConnection): Session {
    const s = this.ctx.sessions.get(conn);
    if (!s) throw new Error('connection without session');
    return s;
  }

  // ---- world ----------------------------------------------------------------------------------

  addAccount(phone: string, name?: string): AccountView {
    return this.accountView(this.world.ensureAccount(normalizePhone(phone), name));
  }

  getAccount(phone: string): AccountView | undefined {
    const account = this.world.account(normalizePhone(phone));
    return account ? this.accountView(account) : undefined;
  }

  addContact(phone: string, name?: string): ContactView {
    return this.contactView(this.world.ensureContact(normalizePhone(phone), name));
  }

  getContact(phone: string): ContactView | undefined {
    const contact = this.world.contacts.get(normalizePhone(phone));
    return contact ? this.contactView(contact) : undefined;
  }

  private accountView(a: Account): AccountView {
    return {
      phone: a.phone,
      name: a.name,
      jid: pnJid(a.phone),
      lid: lidJid(a.lid),
      devices: [...a.devices.values()].map((d) => this.deviceView(a, d)),
    };
  }

  private deviceView(a: Account, d: LinkedDevice): DeviceView {
    const s = this.ctx.online.get(deviceKey(a.phone, d.id));
    return {
      id: d.id,
      jid: pnJid(a.phone, d.id),
      lid: lidJid(a.lid, d.id),
      online: !!s?.conn.isOpen,
      linkedAt: d.linkedAt,
    };
  }

  private contactView(c: Contact): ContactView {
    return {
      phone: c.phone,
      name: c.name,
      jid: pnJid(c.phone),
      lid: lidJid(c.lid),
      addressing: c.addressing,
    };
  }

  /**
   * The server starts (or stops) addressing contact `phone` by its LID, as it did for accounts in the 2026 LID
   * rollout: its next stanzas come from `<lid>@lid` with `sender_pn`, and 1:1 sends to its phone number are refused.
   */
  setContactAddressing(phone: string, mode: Addressing): ContactView {
    const contact = this.contact(phone);
    contact.addressing = mode;
    return this.contactView(contact);
  }

  private contact(phone: string): Contact {
    return this.world.ensureContact(normalizePhone(phone));
  }

  private account(phone: string): Account {
    return this.world.ensureAccount(normalizePhone(phone));
  }

  // ---- linking --------------------------------------------------------------------------------

  /**
   * The phone of account `phone` scans a QR that Baileys emitted. Today's server answers the first scan of a
   * companion with `companion_reg_refresh` (`outcome: 'refreshed'`): scan the QR it re-draws with its new secret.
   */
  async scanQr(qr: string, phone: string): Promise<QrScanView> {
    const account = this.account(phone);
    const result = await scanQr(this.ctx, qr, account);
    if (result.outcome === 'refreshed') return result;
    return { outcome: 'paired', ...this.deviceView(account, result.device) };
  }

  /** The user types the code Baileys' requestPairingCode() returned on the phone of account `phone`. */
  async enterPairingCode(phone: string, code: string): Promise<DeviceView> {
    const account = this.account(phone);
    const device = await enterPairingCode(this.ctx, this.codeRequests, account, code);
    return this.deviceView(account, device);
  }

  /** Which child today's `companion_reg_refresh` carries (WA Web accepts either); `companion_reg_refresh` first. */
  setQrRefreshChild(child: RefreshChild): void {
    setRefreshChild(this.ctx, child);
  }

  /** The user opens Linked Devices on the phone of `phone`: an empty `link_code_companion_reg` notification. */
  async openLinkedDevices(phone: string): Promise<void> {
    await linkedDevicesOpened(this.ctx, this.codeRequests, normalizePhone(phone));
  }

  /** The code's TTL ran out: the phone sends `refresh_code`, and the code shown so far is refused from now on. */
  async rotatePairingCode(phone: string): Promise<void> {
    await rotatePairingCode(this.ctx, this.codeRequests, normalizePhone(phone));
  }

  /** The account of `phone` links by passkey: a `passkey_prologue_request` to the companion waiting for a code. */
  async requestPasskey(phone: string): Promise<void> {
    await sendPasskeyPrologue(this.ctx, this.codeRequests, normalizePhone(phone));
  }

  /** Links a companion straight from its public creds (see simulator/provision.ts for the client half). */
  provisionDevice(phone: string, request: ProvisionRequest): ProvisionResult {
    return provisionDevice(this.ctx, this.account(phone), request);
  }

  /** The user removes one companion (or all) from the phone; connected ones get stream error 401. */
  async unlink(phone: string, deviceId?: number): Promise<number[]> {
    const account = this.world.account(normalizePhone(phone));
    if (!account) throw new SimulatorError(404, 'unknown_account', `no account ${phone}`);
    return unlinkFromPhone(this.ctx, account, deviceId);
  }

  // ---- contacts -------------------------------------------------------------------------------

  /** Contact `from` sends a text (optionally quoting an earlier message) to account `to`. */
  async contactSend(from: string, to: string, text: string, replyTo?: string): Promise<OutboxEntry> {
    return contactSends(this.ctx, this.contact(from), this.account(to), {
      text,
      ...(replyTo ? { replyTo } : {}),
    });
  }

  /** Contact `from` reacts with `emoji` to a message in its chat with account `to`. */
  async contactReact(from: string, to: string, messageId: string, emoji: string): Promise<OutboxEntry> {
    return contactSends(this.ctx, this.contact(from), this.account(to), { reaction: { messageId, emoji } });
  }

  /**
   * Contact `from` sends a file to account `to`: encrypted as WhatsApp does, served at `<controlUrl>/media/<id>`
   * (the message's `url`; no `directPath`), so Baileys' `downloadMediaMessage` gets the bytes back.
   */
  async contactSendMedia(from: string, to: string, media: ContactMedia): Promise<OutboxEntry> {
    const baseUrl = this.controlUrl;
    return contactSendsMedia(this.ctx, this.contact(from), this.account(to), media, baseUrl);
  }

  /** Contact `phone` goes online or offline; accounts subscribed to it are told. Returns how many companions. */
  contactPresence(phone: string, presence: ContactPresence): number {
    return setContactPresence(this.ctx, this.contact(phone), presence);
  }

  /** Contact `from` types (records audio, stops) in its chat with account `to`, seen if `to` subscribed. */
  contactChatState(from: string, to: string, state: ChatStateKind): number {
    return contactChatState(this.ctx, this.contact(from), this.account(to), state);
  }

  /** The chat states accounts sent contact `phone` ("typing..." on its phone), oldest first. */
  chatStatesSeen(phone: string): ChatStateSeen[] {
    return [...(this.ctx.presence.seen.get(normalizePhone(phone)) ?? [])];
  }

  /** Whether account `phone`'s companions last said it is online, and the contacts it subscribed to. */
  accountPresence(phone: string): { presence?: ContactPresence; subscribedTo: string[] } {
    const key = normalizePhone(phone);
    const presence = this.ctx.presence.accounts.get(key);
    return {
      ...(presence ? { presence } : {}),
      subscribedTo: [...(this.ctx.presence.subscriptions.get(key) ?? [])],
    };
  }

  /**
   * Sets what contact `phone` shows of itself: `about`, a profile picture (served nowhere: its URL is on the
   * control port's `/profile-pictures/` path, enough to be handed on), a business profile. Returns it.
   */
  setContactProfile(
    phone: string,
    profile: { about?: string; picture?: boolean; business?: ContactProfile['business'] },
  ): ContactProfile {
    const contact = this.contact(phone);
    const next: ContactProfile = { ...this.ctx.profiles.profiles.get(contact.phone) };
    if (profile.about !== undefined) next.about = profile.about;
    if (profile.business !== undefined) next.business = profile.business;
    if (profile.picture === true) {
      const id = String(Date.now());
      next.picture = { id, url: `${this.controlUrl}/profile-pictures/${contact.phone}/${id}.jpg` };
    }
    if (profile.picture === false) delete next.picture;
    this.ctx.profiles.profiles.set(contact.phone, next);
    return next;
  }

  /** Contact `from` calls account `to` (voice, or `video`; `group` for a group call). */
  contactCall(from: string, to: string, options: CallOptions = {}): CallRecord {
    return contactCalls(this.ctx, this.contact(from), this.account(to), options).call;
  }

  /** A call as it stands now (`ringing`, or `rejected` with the companion that rejected it). */
  getCall(id: string): CallRecord | undefined {
    const call = this.ctx.calls.calls.get(id);
    return call ? { ...call } : undefined;
  }

  /** The contacts account `phone` has blocked. */
  blockedBy(phone: string): string[] {
    return [...(this.ctx.profiles.blocked.get(normalizePhone(phone)) ?? [])];
  }

  /** The encrypted file behind a media URL (what `GET /media/<id>` serves); a `media-error` fault answers instead. */
  mediaFile(id: string): Buffer {
    const file = this.world.media.get(id);
    if (!file) throw new SimulatorError(404, 'unknown_media', `no media ${id}`);
    if (isMediaExpired(this.ctx, id)) throw new SimulatorError(410, 'media_expired', `media ${id} expired`);
    const status = this.faults.takeMediaError();
    if (status !== undefined)
      throw new SimulatorError(status, 'media_fault', `injected media error ${status}`);
    return file;
  }

  /**
   * The plain bytes of the file in contact `phone`'s inbox entry `messageId` (a companion's image, video, audio,
   * document or sticker, fetched from the media host and decrypted with the message's media key).
   */
  contactMedia(phone: string, messageId: string): Buffer {
    const entry = this.contact(phone).inbox.find((e) => e.id === messageId);
    if (!entry)
      throw new SimulatorError(404, 'unknown_message', `no message ${messageId} in the inbox of ${phone}`);
    const bytes = this.world.inboxMedia.get(entry);
    if (!bytes) {
      const why = entry.media?.error ?? 'the message carries no media';
      throw new SimulatorError(404, 'no_media', `message ${messageId}: ${why}`);
    }
    return bytes;
  }

  /**
   * WhatsApp's upload token expires: the current `media_conn` auth is replaced, so an upload with the one a client
   * cached is refused (401) until the client asks `media_conn` again.
   */
  revokeMediaAuth(): void {
    this.world.mediaAuth.revoke();
  }

  /** The CDN drops file `id` (`GET /media/{id}` answers 410 from now on, as for a file weeks old). */
  expireMedia(id: string): void {
    if (!this.world.media.expire(id)) throw new SimulatorError(404, 'unknown_media', `no media ${id}`);
  }

  /** How the phone of account `phone` answers its companions' re-upload requests (default `reupload`). */
  setMediaRetryReply(phone: string, reply: MediaRetryReplyInput): MediaRetryReply {
    const parsed = mediaRetryReplySchema.parse(reply);
    this.ctx.mediaRetry.replies.set(normalizePhone(phone), parsed);
    return parsed;
  }

  /** Ends the streams of account `phone`'s connected devices (or one) with `<stream:error><ack/>`. */
  async streamErrorAck(phone: string, deviceId?: number): Promise<number[]> {
    const account = this.world.account(normalizePhone(phone));
    if (!account) throw new SimulatorError(404, 'unknown_account', `no account ${phone}`);
    return endStreamsWithAck(this.ctx, account, deviceId);
  }

  /** Contact `phone` reports a message it received as delivered or read. */
  sendReceipt(phone: string, messageId: string, type: 'delivered' | 'read'): InboxEntry {
    return contactSendsReceipt(this.ctx, this.contact(phone), messageId, type);
  }

  /** What contact `phone` received, decrypted, oldest first. */
  inbox(phone: string): InboxEntry[] {
    return [...this.contact(phone).inbox];
  }

  /** What contact `phone` sent, with how far each message got (delivered/read by the account). */
  outbox(phone: string): OutboxEntry[] {
    return [...this.contact(phone).outbox];
  }

  /**
   * Contact `phone`'s device fails to decrypt the next `count` messages from account `from`: for each it sends a
   * retry receipt (count 1, then count 2 with its keys if no resend comes within `resendTimeoutMs` or the resend
   * fails too) and shows the message once a resend under the same id decrypts.
   */
  failDecryption(
    phone: string,
    input: DecryptFailureInput,
  ): { contact: string; account: string; remaining: number } {
    const contact = this.contact(phone);
    return failNextDecryptions(contact, this.account(input.from), input);
  }

  /**
   * Contact `phone`'s device loses its Signal sessions with account `from` (WhatsApp reinstalled, a backup restored):
   * the account's next `msg` does not decrypt, and the phone asks for it again as a real one does (retry receipts,
   * with its keys from count 2). Returns how many sessions it dropped.
   */
  forgetSessions(phone: string, input: { from: string }): number {
    return this.contact(phone).peer.forgetSessions(this.account(input.from).phone);
  }

  /** Contact `phone`'s device sends a retry receipt for any message id (e.g. a days-old one) to account `to`. */
  sendRetryReceipt(phone: string, input: RetryReceiptInput): { id: string; from: string; count: number } {
    const receipt = sendRetryReceipt(this.ctx, this.contact(phone), this.account(input.to), input);
    return { id: receipt.attrs.id ?? '', from: receipt.attrs.from ?? '', count: Number(input.count ?? 1) };
  }

  /**
   * The server pushes a notification of any type and shape to the account's online companions (unknown types,
   * payloads that do not parse): a client must ack it and carry on. Returns the id sent (none when no companion is online).
   */
  pushOddNotification(phone: string, type: string, children: NotificationChild[] = []): string[] {
    return pushOddNotification(this.ctx, this.account(phone), type, children);
  }

  // ---- server behaviour -----------------------------------------------------------------------

  /** Switches the named drifts back to the early-2026 server (all others behave as today's server). */
  setLegacy(behaviours: LegacyBehaviour[]): LegacyBehaviour[] {
    this.ctx.legacy.set(behaviours.map((b) => legacyBehaviourSchema.parse(b)));
    return this.ctx.legacy.list();
  }

  get legacy(): LegacyBehaviour[] {
    return this.ctx.legacy.list();
  }

  // ---- reach-out timelock ---------------------------------------------------------------------

  /**
   * WhatsApp timelocks account `phone` (or lifts it with `active: false`): until `until` (epoch seconds), 1:1
   * sends from its companions to contacts without a trust token get ack error 463; online companions get the
   * `NotificationUserReachoutTimelockUpdate` mex notification. Returns the lock and how many companions were told.
   */
  setReachoutTimelock(
    phone: string,
    input: { active: boolean; until?: number; enforcementType?: string },
  ): { timelock: ReachoutTimelock; notified: number } {
    const account = this.account(phone);
    const notified = setReachoutTimelock(this.ctx, account, {
      active: input.active,
      ...(input.until !== undefined ? { until: input.until } : {}),
      enforcementType: input.enforcementType ?? DEFAULT_ENFORCEMENT_TYPE,
    });
    return { timelock: timelockOf(account), notified };
  }

  getReachoutTimelock(phone: string): ReachoutTimelock {
    return timelockOf(this.account(phone));
  }

  /** Gives account `phone` a trust token for `contact` (or withholds it), whatever their chat history says. */
  setTrustToken(phone: string, contact: string, trusted: boolean): void {
    setTrustToken(this.account(phone), this.contact(contact), trusted);
  }

  /** Pushes `MessageCappingInfoNotification` to account `phone`'s online companions; returns how many. */
  pushMessageCapping(phone: string, info: MessageCappingInfo): number {
    return pushMessageCapping(this.ctx, this.account(phone), info);
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** Applies a fault: `drop` acts at once (returns how many sockets it cut), the others stand until they expire. */
  injectFault(input: FaultInput): { id?: number; dropped?: number } {
    const fault = faultSchema.parse(input);
    if (fault.type !== 'drop') return { id: this.faults.add(fault) };
    const phone = fault.phone ? normalizePhone(fault.phone) : undefined;
    let dropped = 0;
    for (const [conn, s] of this.ctx.sessions) {
      const matches =
        phone === undefined ||
        (s.account?.phone === phone && (fault.deviceId === undefined || s.device?.id === fault.deviceId));
      if (matches) {
        conn.terminate();
        dropped += 1;
      }
    }
    return { dropped };
  }

  listFaults(): ReturnType<Faults['list']> {
    return this.faults.list();
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- LID addressing and the offline queue ---------------------------------------------------

  /**
   * Whether the server reveals contact `phone`'s LID while it is PN-addressed (`sender_lid`, usync `lid`): false
   * puts the contact outside the LID rollout until it is switched to 'lid' addressing. True by default.
   */
  setContactLidDisclosed(phone: string, disclosed: boolean): ContactView {
    const contact = this.contact(phone);
    contact.lidHidden = !disclosed;
    return this.contactView(contact);
  }

  /** Links a companion device to contact `phone` (its own Signal identity); returns its device id. */
  addContactDevice(phone: string): number {
    const contact = this.contact(phone);
    const deviceId = addContactCompanion(contact);
    announceContactDevice(this.ctx, contact, deviceId);
    return deviceId;
  }

  /** Contact `from` sends a text to account `to` from its device `deviceId` (0 = its phone). */
  async contactSendFromDevice(
    from: string,
    deviceId: number,
    to: string,
    text: string,
  ): Promise<OutboxEntry> {
    return contactSends(this.ctx, this.contact(from), this.account(to), { text, fromDevice: deviceId });
  }

  /**
   * Puts a status update from contact `from` that cannot be decrypted at the head of the offline queue of every
   * companion of account `to`; returns its message id. See flows/offline-queue.ts for what the server does next.
   */
  queueUndecryptableStatus(to: string, from: string): string {
    return enqueueUndecryptableStatus(this.account(to), this.contact(from));
  }

  /** Sockets currently open, logged in or not. */
  get connectionCount(): number {
    return this.ctx.sessions.size;
  }
}
