/**
 * Baileys auth state (creds + Signal keys) as one item per key in the credentials table (issue #14;
 * docs/session-host.md, "Credentials"). The creds are read when the host takes the session and kept in memory;
 * keys are read lazily, in batches, into a bounded LRU per session (`credential-cache.ts`). Only changed items
 * are written (a `null` from Baileys deletes), debounced while keys change, and always on `flush()`; a send makes
 * its keys durable together with its `sending -> sent` move in one transaction (`flushWith`). While a send is in
 * flight (`hold()`), the debounce does not write: a timer firing then would split the send's keys into a
 * transaction of their own; they ride in the send's transaction instead, and whatever is left is flushed when
 * the last hold ends.
 *
 * Every write is fenced by the lease (owner and lease epoch, `CredentialStore`): if another host took the session,
 * the write fails with `CredentialsFencedError`, this store refuses all further writes and tells the runner,
 * which treats it as a lost lease and stops the socket. A stale host can never overwrite a newer state.
 *
 * A session still in the pre-#14 layout (one S3 object) is migrated on its first attach (`legacy-credentials.ts`).
 */
import { initAuthCreds } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
  SignalKeyStore,
} from '@whiskeysockets/baileys';
import { DecryptionError } from '../shared/crypto/envelope.js';
import type { BlobStore } from '../shared/ports/blob-store.js';
import {
  CREDS_TYPE,
  CredentialsFencedError,
  type CredentialChange,
  type CredentialFence,
  type CredentialKey,
  type CredentialStore,
  type SessionCredentials,
} from '../shared/ports/credential-store.js';
import type { TransactionPart, TransactionPartOutcome } from '../shared/ports/transaction-part.js';
import { CredentialCache } from './credential-cache.js';
import { realDebounceTimer, type DebounceTimer } from './debounce-timer.js';
import { decodeCredentialValue, encodeCredentialValue } from './credential-codec.js';
import {
  CredentialsUnreadableError,
  deleteLegacyCredentials,
  legacyToChanges,
  readLegacyCredentials,
} from './legacy-credentials.js';

export { CredentialsUnreadableError, credentialsKey } from './legacy-credentials.js';

/** This store stopped writing (lease lost, erased, closed): pending changes will never be stored. */
export class CredentialsFrozenError extends Error {
  override readonly name = 'CredentialsFrozenError';
  constructor(readonly key: string) {
    super(`credentials ${key} are no longer written by this host`);
  }
}

export interface AuthStoreOptions {
  readonly credentials: CredentialStore;
  /** The pre-#14 bucket, read once to migrate a session that has no items yet. */
  readonly legacy?: BlobStore;
  readonly sessionId: string;
  /** This host's tenure of the session's lease: every write is fenced on it. */
  readonly fence: CredentialFence;
  readonly debounceMs: number;
  /** The debounce's timer (tests fire it at a chosen moment); default: `setTimeout`. */
  readonly timer?: DebounceTimer;
  /** Keys kept in memory for this session (LRU); default `DEFAULT_CREDENTIAL_CACHE_ITEMS`. */
  readonly cacheItems?: number;
  /** A debounced write failed (fence or I/O); the runner decides (a refused fence means the lease is lost). */
  readonly onWriteError: (error: unknown) => void;
}

/** What this store wrote so far: the figures of docs/benchmarks.md. */
export interface AuthWriteStats {
  bytes: number;
  items: number;
  transactions: number;
}

const itemKeyOf = (type: string, id: string): string => `${type}#${id}`;

export class SessionAuthStore {
  readonly state: AuthenticationState;
  readonly key: string;
  readonly stats: AuthWriteStats = { bytes: 0, items: 0, transactions: 0 };
  readonly #store: SessionCredentials;
  readonly #cache: CredentialCache;
  /** Changed keys not yet written, by `<type>#<id>`: `null` deletes. Read before the cache, never evicted. */
  #pending = new Map<string, { readonly type: string; readonly id: string; readonly value: unknown }>();
  #credsDirty = false;
  readonly #timers: DebounceTimer;
  #timer: unknown;
  /** Sends in flight (`hold()`): the debounce waits for them. */
  #holds = 0;
  /** The debounce came due during a hold: flush when the last hold ends. */
  #dueAfterHold = false;
  #chain: Promise<unknown> = Promise.resolve();
  /** Set after a refused fence, an erase or a close: nothing more is ever written by this instance. */
  #frozen = false;

  private constructor(
    private readonly options: AuthStoreOptions,
    store: SessionCredentials,
    creds: AuthenticationCreds,
  ) {
    this.key = `credentials/${options.sessionId}`;
    this.#store = store;
    this.#cache = new CredentialCache(options.cacheItems);
    this.#timers = options.timer ?? realDebounceTimer;
    this.state = { creds, keys: this.#keyStore() };
  }

  /**
   * Opens the session's items (its data key), reads the creds, migrating a legacy object first when there are no
   * items yet, or starts fresh creds (a new session: QR or pairing code). `CredentialsUnreadableError` when what
   * is stored cannot be read; `CredentialsFencedError` when the lease is already gone.
   */
  static async load(options: AuthStoreOptions): Promise<SessionAuthStore> {
    let store: SessionCredentials;
    try {
      store = await options.credentials.open(options.sessionId, options.fence);
    } catch (error) {
      throw unreadable(options.sessionId, error);
    }
    try {
      const creds = (await readCreds(store, options.sessionId)) ?? (await migrate(store, options));
      return new SessionAuthStore(options, store, creds ?? initAuthCreds());
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** Whether these creds belong to a linked device (pairing finished), i.e. can log in without a QR. */
  get linked(): boolean {
    return this.state.creds.account !== undefined && this.state.creds.me !== undefined;
  }

  /** Keys held in memory now (the LRU's size). */
  get cachedItems(): number {
    return this.#cache.size;
  }

  /** Baileys' `creds.update`. */
  updateCreds(update: Partial<AuthenticationCreds>): void {
    Object.assign(this.state.creds, update);
    this.#credsDirty = true;
    this.#schedule();
  }

  /** Writes pending changes now; resolves once they are durable. Rejects on a refused fence or I/O failure. */
  async flush(): Promise<void> {
    await this.#enqueue(undefined);
  }

  /**
   * Writes pending changes and `part` in the same fenced transaction (the last one, when the changes need
   * several): a send's keys and its `sending -> sent` move in one round trip. Resolves with the part's outcome.
   */
  async flushWith(part: TransactionPart): Promise<TransactionPartOutcome> {
    return (await this.#enqueue(part)) ?? { applied: false };
  }

  /**
   * Holds the debounced write while a send is in flight (from before Baileys encrypts until its `flushWith`
   * returns): the send's key changes then go in the send's own transaction, not partly in a debounce's. Returns
   * the release (idempotent); the last release flushes what a debounce that came due meanwhile would have.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds > 0 || !this.#dueAfterHold) return;
      this.#dueAfterHold = false;
      if (!this.#frozen) this.flush().catch((error: unknown) => this.#debouncedWriteFailed(error));
    };
  }

  /** Deletes every stored item (logged out) and the legacy object, and stops all writes of this instance. */
  async erase(): Promise<void> {
    this.#frozen = true;
    this.#clearTimer();
    await this.#chain;
    await this.options.credentials.erase(this.options.sessionId);
    if (this.options.legacy) await deleteLegacyCredentials(this.options.legacy, this.options.sessionId);
    this.#pending.clear();
    this.#cache.clear();
  }

  /** Stops writing without flushing (lease lost: whatever we hold may already be stale). */
  freeze(): void {
    this.#frozen = true;
    this.#clearTimer();
  }

  /** The session left this host: no more writes, keys dropped from memory, the data key zeroised. */
  close(): void {
    this.freeze();
    this.#cache.clear();
    void this.#chain.finally(() => this.#store.close());
  }

  #schedule(): void {
    if (this.#frozen) return;
    this.#timer ??= this.#timers.set(() => {
      this.#timer = undefined;
      if (this.#holds > 0) {
        this.#dueAfterHold = true;
        return;
      }
      this.flush().catch((error: unknown) => this.#debouncedWriteFailed(error));
    }, this.options.debounceMs);
  }

  /**
   * The changes were kept (`#write`); the debounce is armed again so they are retried without waiting for a
   * next change that may not come (a throttled or failed write, seen under the chaos test's DynamoDB faults).
   * A refused fence froze the store: `#schedule` then arms nothing.
   */
  #debouncedWriteFailed(error: unknown): void {
    this.options.onWriteError(error);
    this.#schedule();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #enqueue(part: TransactionPart | undefined): Promise<TransactionPartOutcome | undefined> {
    this.#clearTimer();
    const next = this.#chain.then(() => this.#write(part));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #write(part: TransactionPart | undefined): Promise<TransactionPartOutcome | undefined> {
    const dirty = this.#credsDirty || this.#pending.size > 0;
    if (!dirty && !part) return undefined;
    // Changes this instance may no longer write are not durable: say so (a send must not be reported `sent`).
    if (this.#frozen) throw new CredentialsFrozenError(this.key);
    const pending = this.#pending;
    const credsDirty = this.#credsDirty;
    this.#pending = new Map();
    this.#credsDirty = false;
    const changes: CredentialChange[] = [...pending.values()].map(({ type, id, value }) => ({
      type,
      id,
      value: value === null ? null : encodeCredentialValue(value),
    }));
    if (credsDirty)
      changes.push({ type: CREDS_TYPE, id: '', value: encodeCredentialValue(this.state.creds) });
    try {
      const result = await this.#store.write(changes, part);
      this.stats.bytes += result.bytes;
      this.stats.items += changes.length;
      this.stats.transactions += result.transactions;
      return result.part;
    } catch (error) {
      if (error instanceof CredentialsFencedError) {
        this.#frozen = true;
      } else {
        // Kept for the next attempt, under anything changed since (newer values win).
        for (const [k, v] of pending) if (!this.#pending.has(k)) this.#pending.set(k, v);
        if (credsDirty) this.#credsDirty = true;
      }
      throw error;
    }
  }

  async #read<T extends keyof SignalDataTypeMap>(type: T, ids: readonly string[]) {
    const out: { [id: string]: SignalDataTypeMap[T] } = {};
    const missing: CredentialKey[] = [];
    for (const id of ids) {
      const key = itemKeyOf(type, id);
      const pending = this.#pending.get(key);
      const value = pending ? pending.value : this.#cache.get(key);
      if (value === undefined && !pending) missing.push({ type, id });
      else if (value !== null && value !== undefined) out[id] = value as SignalDataTypeMap[T];
    }
    if (missing.length === 0) return out;
    const found = new Map(
      (await this.#store.read(missing)).map((item) => [item.id, decodeCredentialValue(type, item.value)]),
    );
    for (const { id } of missing) {
      const key = itemKeyOf(type, id);
      // A `set` while we read wins: it is newer than what the table held when we asked.
      const newer =
        this.#pending.get(key) ?? (this.#cache.has(key) ? { value: this.#cache.get(key) } : undefined);
      const value = newer ? newer.value : (found.get(id) ?? null);
      if (!newer) this.#cache.set(key, value);
      if (value !== null && value !== undefined) out[id] = value as SignalDataTypeMap[T];
    }
    return out;
  }

  #keyStore(): SignalKeyStore {
    return {
      get: (type, ids) => this.#read(type, ids),
      set: async (set: SignalDataSet) => {
        for (const [type, entries] of Object.entries(set)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            const stored = value ?? null;
            const key = itemKeyOf(type, id);
            this.#pending.set(key, { type, id, value: stored });
            this.#cache.set(key, stored);
          }
        }
        this.#schedule();
      },
    };
  }
}

async function readCreds(store: SessionCredentials, sessionId: string): Promise<AuthenticationCreds | null> {
  let found;
  try {
    found = await store.read([{ type: CREDS_TYPE, id: '' }]);
  } catch (error) {
    throw unreadable(sessionId, error);
  }
  const bytes = found[0]?.value;
  if (!bytes) return null;
  try {
    const creds = decodeCredentialValue(CREDS_TYPE, bytes);
    if (typeof creds !== 'object' || creds === null || !('noiseKey' in creds))
      throw new Error('no noise key');
    return creds as AuthenticationCreds;
  } catch (error) {
    throw new CredentialsUnreadableError(`credentials/${sessionId}`, 'invalid content', { cause: error });
  }
}

/** A legacy object, written as items (creds last), then deleted; null when there is none. */
async function migrate(
  store: SessionCredentials,
  options: AuthStoreOptions,
): Promise<AuthenticationCreds | null> {
  if (!options.legacy) return null;
  const legacy = await readLegacyCredentials(options.legacy, options.sessionId);
  if (!legacy) return null;
  await store.write(legacyToChanges(legacy));
  await deleteLegacyCredentials(options.legacy, options.sessionId);
  return legacy.creds as unknown as AuthenticationCreds;
}

/** An item or data key that can never be read as it is becomes `CredentialsUnreadableError`; the rest passes. */
function unreadable(sessionId: string, error: unknown): unknown {
  if (error instanceof DecryptionError) {
    return new CredentialsUnreadableError(`credentials/${sessionId}`, error.reason, { cause: error });
  }
  return error;
}
