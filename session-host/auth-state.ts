/**
 * Baileys auth state (creds + Signal keys) kept as ONE encrypted object per session in the credentials bucket
 * (docs/session-host.md, "Credentials"). Read once when the host takes the session, cached in memory, written
 * debounced while keys change and always on `flush()` (before a message is reported `sent`) and on shutdown.
 *
 * Every write names the version it replaces (the S3 ETag): if another host wrote meanwhile, the put fails with
 * `BlobVersionConflictError`, this store refuses all further writes and tells the runner, which treats it as a
 * lost lease and stops the socket. A stale host can never overwrite a newer state.
 */
import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
  SignalKeyStore,
} from '@whiskeysockets/baileys';
import { z } from 'zod';
import { credentialsKeyPrefix } from '../shared/services/session-data.js';
import { DecryptionError } from '../shared/crypto/envelope.js';
import { BlobVersionConflictError, type BlobStore } from '../shared/ports/blob-store.js';

/**
 * Object key of a session's credentials, under the prefix the control plane erases on delete/logout
 * (`shared/services/session-data.ts`).
 */
export function credentialsKey(sessionId: string): string {
  return `${credentialsKeyPrefix(sessionId)}auth`;
}

/** The stored credentials cannot be read as they are (tampered, corrupted, another key): retrying cannot help. */
export class CredentialsUnreadableError extends Error {
  override readonly name = 'CredentialsUnreadableError';
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`credentials ${key} are unreadable: ${reason}`, options);
  }
}

/** This store stopped writing (lease lost, version conflict, erased): pending changes will never be stored. */
export class CredentialsFrozenError extends Error {
  override readonly name = 'CredentialsFrozenError';
  constructor(readonly key: string) {
    super(`credentials ${key} are no longer written by this host`);
  }
}

const StoredAuthSchema = z.object({
  v: z.literal(1),
  creds: z.looseObject({ noiseKey: z.unknown(), signedIdentityKey: z.unknown() }),
  keys: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export interface AuthStoreOptions {
  readonly blobs: BlobStore;
  readonly sessionId: string;
  readonly debounceMs: number;
  /** A debounced write failed (conflict or I/O); the runner decides (a conflict means the lease is lost). */
  readonly onWriteError: (error: unknown) => void;
}

export class SessionAuthStore {
  readonly state: AuthenticationState;
  readonly key: string;
  readonly #data: Map<string, Map<string, unknown>>;
  #version: string | undefined;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  /** Set after a version conflict or an erase: nothing more is ever written by this instance. */
  #frozen = false;

  private constructor(
    private readonly options: AuthStoreOptions,
    creds: AuthenticationCreds,
    data: Map<string, Map<string, unknown>>,
    version: string | undefined,
  ) {
    this.key = credentialsKey(options.sessionId);
    this.#data = data;
    this.#version = version;
    this.state = { creds, keys: this.#keyStore() };
  }

  /** Reads the stored state, or starts fresh creds when there is none (a new session: QR or pairing code). */
  static async load(options: AuthStoreOptions): Promise<SessionAuthStore> {
    const key = credentialsKey(options.sessionId);
    let stored: Awaited<ReturnType<BlobStore['get']>>;
    try {
      stored = await options.blobs.get(key);
    } catch (error) {
      if (error instanceof DecryptionError) {
        throw new CredentialsUnreadableError(key, error.reason, { cause: error });
      }
      throw error; // transient (S3, KMS): the caller retries later
    }
    if (!stored) return new SessionAuthStore(options, initAuthCreds(), new Map(), undefined);
    let parsed: z.infer<typeof StoredAuthSchema>;
    try {
      const json: unknown = JSON.parse(stored.bytes.toString('utf8'), BufferJSON.reviver);
      parsed = StoredAuthSchema.parse(json);
    } catch (error) {
      throw new CredentialsUnreadableError(key, 'invalid content', { cause: error });
    }
    const data = new Map<string, Map<string, unknown>>();
    for (const [type, entries] of Object.entries(parsed.keys))
      data.set(type, new Map(Object.entries(entries)));
    return new SessionAuthStore(
      options,
      parsed.creds as unknown as AuthenticationCreds,
      data,
      stored.version,
    );
  }

  /** Whether these creds belong to a linked device (pairing finished), i.e. can log in without a QR. */
  get linked(): boolean {
    return this.state.creds.account !== undefined && this.state.creds.me !== undefined;
  }

  /** Baileys' `creds.update`. */
  updateCreds(update: Partial<AuthenticationCreds>): void {
    Object.assign(this.state.creds, update);
    this.#schedule();
  }

  /** Writes pending changes now; resolves once they are durable. Rejects on conflict or I/O failure. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#chain.then(() => this.#writeIfDirty());
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Deletes the stored credentials (logged out) and stops all writes of this instance. */
  async erase(): Promise<void> {
    this.#frozen = true;
    clearTimeout(this.#timer);
    await this.#chain;
    await this.options.blobs.delete(this.key);
  }

  /** Stops writing without flushing (lease lost: whatever we hold may already be stale). */
  freeze(): void {
    this.#frozen = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#frozen) return;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((error: unknown) => this.options.onWriteError(error));
    }, this.options.debounceMs);
  }

  async #writeIfDirty(): Promise<void> {
    if (!this.#dirty) return;
    // Changes this instance may no longer write are not durable: say so (a send must not be reported `sent`).
    if (this.#frozen) throw new CredentialsFrozenError(this.key);
    this.#dirty = false;
    const body = Buffer.from(
      JSON.stringify(
        {
          v: 1,
          creds: this.state.creds,
          keys: Object.fromEntries([...this.#data].map(([type, m]) => [type, Object.fromEntries(m)])),
        },
        BufferJSON.replacer,
      ),
    );
    try {
      const { version } = await this.options.blobs.put(
        this.key,
        body,
        this.#version === undefined ? { ifAbsent: true } : { ifVersion: this.#version },
      );
      this.#version = version;
    } catch (error) {
      if (error instanceof BlobVersionConflictError) this.#frozen = true;
      else this.#dirty = true; // kept for the next attempt
      throw error;
    }
  }

  #keyStore(): SignalKeyStore {
    return {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        const m = this.#data.get(type);
        if (!m) return out;
        for (const id of ids) {
          let value = m.get(id);
          if (value === undefined) continue;
          if (type === 'app-state-sync-key') {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          }
          out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      set: async (set: SignalDataSet) => {
        for (const [type, entries] of Object.entries(set)) {
          let m = this.#data.get(type);
          if (!m) this.#data.set(type, (m = new Map()));
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) m.delete(id);
            else m.set(id, value);
          }
        }
        this.#schedule();
      },
    };
  }
}
