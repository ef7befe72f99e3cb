/**
 * A session's Baileys credentials, one item per key (issue #14; docs/credentials-and-commands.md, "Credential
 * items"): the creds object as item `creds`, each Signal key as `<type>#<id>`. Values cross this port as
 * plaintext bytes; the adapter seals each under the session's data key, bound to the session, type and id.
 *
 * Every write is fenced by the lease: it goes in only while the session's item names this host as owner AND the
 * lease epoch of this tenure (`Session.leaseEpoch`). A refused fence is `CredentialsFencedError`: the lease is
 * gone, and nothing this host holds may be written any more.
 */
import type { TransactionPart, TransactionPartOutcome } from './transaction-part.js';

/** Whose tenure of the lease a write belongs to. */
export interface CredentialFence {
  readonly hostId: string;
  readonly leaseEpoch: number;
}

/** An item: `type` is Baileys' key type (`session`, `pre-key`...) or `creds` (with id `''`). */
export interface CredentialKey {
  readonly type: string;
  readonly id: string;
}

export interface CredentialValue extends CredentialKey {
  readonly value: Uint8Array;
}

/** `value: null` deletes the item. */
export interface CredentialChange extends CredentialKey {
  readonly value: Uint8Array | null;
}

export const CREDS_TYPE = 'creds';

export interface CredentialWriteResult {
  /** Bytes of the items written (keys and sealed values), for the figures in docs/benchmarks.md. */
  readonly bytes: number;
  /** Round trips it took (one per up to 100 items, fence included). */
  readonly transactions: number;
  /** The joined part's outcome, when one was given. */
  readonly part?: TransactionPartOutcome;
}

/** The fence refused a write: another host holds the lease now (or held it since). Never retry. */
export class CredentialsFencedError extends Error {
  override readonly name = 'CredentialsFencedError';
  constructor(
    readonly sessionId: string,
    readonly hostId: string,
  ) {
    super(`credentials of session ${sessionId} are no longer written by host ${hostId} (lease fence)`);
  }
}

/** The credentials of one session for one lease tenure, with its data key unwrapped. */
export interface SessionCredentials {
  readonly sessionId: string;
  /** The stored items among `keys` (missing ones are left out). `DecryptionError` for an item that fails to open. */
  read(keys: readonly CredentialKey[]): Promise<CredentialValue[]>;
  /**
   * Writes (and deletes) the changes, fenced, in as few transactions as the store allows; `part`, when given,
   * goes in the last one, so it lands only once every change is durable. `CredentialsFencedError` when the fence
   * refused.
   */
  write(changes: readonly CredentialChange[], part?: TransactionPart): Promise<CredentialWriteResult>;
  /** Forgets (zeroises) the data key; the instance is unusable afterwards. */
  close(): void;
}

export interface CredentialStore {
  /**
   * Opens the session's credentials for this tenure: unwraps its data key, or makes one (a fenced write) when the
   * session has none yet. `DecryptionError` when the stored key is refused; `CredentialsFencedError` on a lost
   * lease.
   */
  open(sessionId: string, fence: CredentialFence): Promise<SessionCredentials>;
  /** Deletes every item of the session, data key included; idempotent, not fenced (delete and logout). */
  erase(sessionId: string): Promise<{ readonly items: number }>;
}
