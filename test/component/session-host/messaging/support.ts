/**
 * Set-up for the message-flow component tests: real DynamoDB Local and fauxqs S3 (media bucket, encrypted as in
 * production), the WhatsApp simulator with real Baileys sockets linked by provisioning (no host-core), and
 * `HostMessaging` attached to those sockets. Media uploads are Baileys' own (`media_conn`, HTTPS POST to the
 * simulator's media host, trusted through the socket's `fetchAgent` as the host does with `APP_WA_MEDIA_CA`);
 * the contact's phone decrypts what it gets, so tests compare bytes with `sim.contactMedia()`. Stand-ins only where the test is not about the thing:
 *
 * - the event bus records what was published (the bus itself is tested elsewhere);
 * - a loopback HTTP server plays a tenant's media URL (local mode allows loopback, never private addresses).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthenticationState, UserFacingSocketConfig, WASocket } from '@whiskeysockets/baileys';
import { S3EncryptedBlobStore } from '../../../../shared/adapters/aws/s3-encrypted-blob-store.js';
import { createDynamoRepositories, type Repositories } from '../../../../shared/adapters/dynamodb/index.js';
import { LocalDataKeyProvider } from '../../../../shared/adapters/local/local-data-key-provider.js';
import { EnvelopeCipher } from '../../../../shared/crypto/envelope.js';
import type { DomainEvent } from '../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type { Message, MessageContent, Metadata } from '../../../../shared/domain/message.js';
import { phoneToJid } from '../../../../shared/domain/phone.js';
import type { BlobStore } from '../../../../shared/ports/blob-store.js';
import type { EventBus } from '../../../../shared/ports/event-bus.js';
import {
  DEFAULT_MESSAGING_CONFIG,
  HostMessaging,
  type MessagingConfig,
  type SessionMessaging,
} from '../../../../session-host/messaging/index.js';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../../../simulator/index.js';
import { startAwsEmulators, type AwsEmulators } from '../../../support/aws-emulators.js';
import { connect, endAll, mediaAgent, memoryAuth, opened } from '../../../simulator/helpers.js';

export class RecordingEventBus implements EventBus {
  readonly events: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
  ofType<T extends DomainEvent['type']>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);
  }
}

/** A loopback HTTP server serving fixed bodies by path (a tenant's media URL). */
export async function startMediaServer(files: Record<string, { body: Buffer; type: string }>): Promise<{
  url(path: string): string;
  stop(): Promise<void>;
}> {
  const server: Server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface LinkedAccount {
  readonly phone: string;
  readonly tenantId: string;
  readonly sessionId: string;
  readonly socket: WASocket;
  /** The device's auth state (in memory), to open another socket as the same device. */
  readonly auth: AuthenticationState;
  readonly session: SessionMessaging;
  /** Message statuses seen at each `flushCredentials` call (the pipeline flushes before `sent`). */
  readonly flushes: string[];
  /** Which message a flush is for is not passed; the test sets this to inspect one. */
  watch: string | undefined;
}

export interface MessagingWorld {
  readonly aws: AwsEmulators;
  readonly repos: Repositories;
  readonly media: BlobStore;
  readonly sim: WhatsAppSimulator;
  readonly bus: RecordingEventBus;
  readonly messaging: HostMessaging;
  readonly config: MessagingConfig;
  /** Counters HostMessaging reported (`MessagesReceived`, `MediaDownloads`, ...). */
  readonly metrics: Map<string, number>;
  /** What HostMessaging logged at warn level. */
  readonly warnings: { message: string; fields: Record<string, unknown> | undefined }[];
  /** `socketConfig` adds Baileys options the host passes per session (e.g. its `getMessage`). */
  link(
    phone: string,
    socketConfig?: (sessionId: string) => Partial<UserFacingSocketConfig>,
  ): Promise<LinkedAccount>;
  stop(): Promise<void>;
}

/**
 * Sends go as fast as the test allows (no pacing gap), media limited to 64 KiB, loopback URLs allowed. No queued
 * sweep: a round firing between a test's queueing and its rings would schedule messages in the sweep's order, not
 * the test's (fairness.test.ts saw it in CI); stuck-sends.test.ts turns it on to test it.
 */
export const TEST_MESSAGING_CONFIG: MessagingConfig = {
  ...DEFAULT_MESSAGING_CONFIG,
  queuedSweepMs: 0,
  minGapMs: 0,
  jitterMs: 0,
  concurrency: 1,
  retryBaseMs: 10,
  ackTimeoutMs: 10_000,
  mediaMaxBytes: 64 * 1024,
  allowLoopback: true,
};

export async function startMessagingWorld(
  config: MessagingConfig = TEST_MESSAGING_CONFIG,
): Promise<MessagingWorld> {
  const aws = await startAwsEmulators();
  const repos = createDynamoRepositories(aws.clients.dynamo, aws.config);
  const media = new S3EncryptedBlobStore({
    s3: aws.clients.s3,
    bucket: aws.config.APP_MEDIA_BUCKET,
    cipher: new EnvelopeCipher(LocalDataKeyProvider.fromBase64(aws.config.APP_LOCAL_MASTER_KEY)),
    versionCheck: 'check-then-write',
  });
  // Unknown numbers are "not on WhatsApp", as for the real server.
  const sim = new WhatsAppSimulator({ autoCreateContacts: false });
  await sim.start({ port: 0 });
  const untrust = trustSimulator(sim.rootPublicKey);
  const bus = new RecordingEventBus();
  const quiet = () => undefined;
  const metrics = new Map<string, number>();
  const warnings: MessagingWorld['warnings'] = [];
  const messaging = new HostMessaging({
    messages: repos.messages,
    chats: repos.chats,
    lidMappings: repos.lidMappings,
    events: bus,
    media,
    config,
    log: {
      debug: quiet,
      info: quiet,
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
      error: quiet,
    },
    metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
  });
  const accounts: LinkedAccount[] = [];

  return {
    aws,
    repos,
    media,
    sim,
    bus,
    messaging,
    config,
    metrics,
    warnings,
    async link(phone, socketConfig) {
      const auth = memoryAuth(await provisionLinkedDevice(sim, phone));
      const tenantId = newId();
      const sessionId = newId();
      const socket = connect(sim, auth, { fetchAgent: mediaAgent(sim), ...socketConfig?.(sessionId) });
      await opened(socket);
      const flushes: string[] = [];
      const account: LinkedAccount = {
        phone,
        tenantId,
        sessionId,
        socket,
        auth,
        flushes,
        watch: undefined,
        session: messaging.attach({
          tenantId,
          sessionId,
          socket,
          flushCredentials: async () => {
            if (account.watch === undefined) return;
            const m = await repos.messages.get(sessionId, account.watch);
            flushes.push(m?.status ?? 'missing');
          },
        }),
      };
      accounts.push(account);
      return account;
    },
    async stop() {
      await messaging.close();
      for (const a of accounts) a.session.detach();
      endAll(accounts.map((a) => a.socket));
      await sim.stop();
      untrust();
      await aws.stop();
    },
  };
}

/**
 * Another host process for `account`'s session: its own HostMessaging over the world's tables and socket,
 * quiet logs, with the bus, event outbox, media store or config given (the world's otherwise), attached at once.
 */
export function attachOnAnotherHost(
  world: MessagingWorld,
  account: LinkedAccount,
  overrides: {
    events?: EventBus;
    outbox?: EventBus;
    media?: BlobStore;
    config?: Partial<MessagingConfig>;
  } = {},
): { messaging: HostMessaging; session: SessionMessaging } {
  const quiet = () => undefined;
  const messaging = new HostMessaging({
    messages: world.repos.messages,
    chats: world.repos.chats,
    lidMappings: world.repos.lidMappings,
    events: overrides.events ?? world.bus,
    ...(overrides.outbox ? { outbox: overrides.outbox } : {}),
    media: overrides.media ?? world.media,
    config: { ...world.config, ...overrides.config },
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  const session = messaging.attach({
    tenantId: account.tenantId,
    sessionId: account.sessionId,
    socket: account.socket,
    flushCredentials: async () => undefined,
  });
  return { messaging, session };
}

/** Writes a message `queued`, as the API's send does before ringing the host. */
export async function queueMessage(
  repos: Pick<Repositories, 'messages'>,
  account: Pick<LinkedAccount, 'tenantId' | 'sessionId'>,
  to: string,
  content: MessageContent,
  extra: { replyTo?: string; metadata?: Metadata } = {},
): Promise<Message> {
  const at = nowIso();
  const { message } = await repos.messages.create({
    id: newId(),
    tenantId: account.tenantId,
    sessionId: account.sessionId,
    direction: 'outbound',
    chatJid: phoneToJid(to),
    to,
    type: content.type,
    content,
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    ...extra,
    createdAt: at,
    updatedAt: at,
  });
  return message;
}

/** Polls an async check until it returns a value (state that changes without an event we can await). */
export async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
