/** Everything the control plane's use cases need; built once per Lambda container by `functions/http/runtime.ts`. */
import type { Repositories } from '../adapters/dynamodb/index.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { SendWriter } from '../ports/send-writer.js';
import type { WsConnectionCloser } from '../ports/ws-connection-closer.js';
import type { HostDoorbell } from './host-doorbell.js';
import type { IdempotencyStore } from './idempotency.js';
import type { RateLimitCounter } from './rate-limit.js';
import type { CredentialsEraser, SessionRecordsEraser } from './session-data.js';

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
  /** How long `DELETE /v1/sessions/{id}` waits for the owner host to let go before erasing. */
  readonly releaseWaitMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
