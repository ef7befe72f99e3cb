/** Everything the control plane's use cases need; built once per Lambda container by `functions/http/runtime.ts`. */
import type { Repositories } from '../adapters/dynamodb/index.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { ContactCheckCache, DailyQuota } from '../ports/contact-check-store.js';
import type { HostReplyStore } from '../ports/host-reply-store.js';
import type { SendWriter } from '../ports/send-writer.js';
import type { WsConnectionCloser } from '../ports/ws-connection-closer.js';
import type { HostDoorbell } from './host-doorbell.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { RateLimitCounter } from '../ports/rate-limit-counter.js';
import type { CredentialsEraser } from '../ports/credentials-eraser.js';
import type { SessionRecordsEraser } from '../ports/session-records-eraser.js';

export interface ControlPlaneDeps {
  readonly repos: Repositories;
  readonly doorbell: Pick<HostDoorbell, 'ring'>;
  readonly idempotency: IdempotencyStore;
  readonly rateLimits: RateLimitCounter;
  /** An API send's one transaction (session check, key claim, send-rate hit, message, chat). */
  readonly sends: SendWriter;
  readonly credentials: CredentialsEraser;
  readonly records: SessionRecordsEraser;
  /** The media bucket (envelope-encrypted): uploads and incoming media under `mediaObjectKey`. */
  readonly media: BlobStore;
  /** Closes browser WebSockets (a suspended tenant's sessions). */
  readonly sockets: WsConnectionCloser;
  /** Local mode admits loopback media URLs (test media servers run on 127.0.0.1). */
  readonly localMode: boolean;
  /** How long `POST .../pairing-code` waits for the host's code. */
  readonly pairingWaitMs: number;
  /** Session hosts' answers to API requests (`host-requests.ts`). */
  readonly hostReplies: HostReplyStore;
  /** How long a host request (number check, profile, ...) waits for the owner host's reply. */
  readonly hostRequestWaitMs: number;
  /** Number checks kept a day per session, and the session's daily count of numbers asked of WhatsApp. */
  readonly contactChecks: ContactCheckCache;
  readonly dailyQuota: DailyQuota;
  /** New numbers (not answered from the day's cache) one session may check per UTC day. */
  readonly contactChecksPerDay: number;
  /** How long `DELETE /v1/sessions/{id}` waits for the owner host to let go before erasing. */
  readonly releaseWaitMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
