import { randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';

/** The app-state (syncd) collections WhatsApp keeps per account (Baileys' `ALL_WA_PATCH_NAMES`). */
export const SYNCD_COLLECTIONS = [
  'critical_block',
  'critical_unblock_low',
  'regular_high',
  'regular',
  'regular_low',
] as const;
export type SyncdCollectionName = (typeof SYNCD_COLLECTIONS)[number];

export const isSyncdCollection = (name: string): name is SyncdCollectionName =>
  (SYNCD_COLLECTIONS as readonly string[]).includes(name);

/** One stored patch: the client's `SyncdPatch` with the version the server gave it. */
export interface StoredPatch {
  version: number;
  blob: Buffer;
}

/** What a `set` of a patch came to: stored under `version`, or refused because the collection moved on. */
export type AppendOutcome = { ok: true; version: number } | { ok: false; version: number };

/**
 * The server's side of app state for one account: per collection, the versioned patches its devices uploaded.
 * The server cannot read them (they are encrypted with keys only the account's devices hold); it only orders
 * them, as the real server does: a patch is accepted only on top of the latest version (else 409 conflict).
 */
class AccountSyncd {
  private readonly collections = new Map<SyncdCollectionName, StoredPatch[]>();

  version(name: SyncdCollectionName): number {
    return this.collections.get(name)?.length ?? 0;
  }

  patchesSince(name: SyncdCollectionName, version: number): StoredPatch[] {
    return (this.collections.get(name) ?? []).filter((p) => p.version > version);
  }

  /** Stores `patch` as version `base + 1` when `base` is the latest version. */
  append(name: SyncdCollectionName, base: number, patch: proto.ISyncdPatch): AppendOutcome {
    const current = this.version(name);
    if (base !== current) return { ok: false, version: current };
    const version = current + 1;
    // The client leaves the version out; the server stamps it, so a fetch can say which patch is which.
    const blob = Buffer.from(proto.SyncdPatch.encode({ ...patch, version: { version } }).finish());
    const list = this.collections.get(name) ?? [];
    list.push({ version, blob });
    this.collections.set(name, list);
    return { ok: true, version };
  }
}

/** An app-state sync key as the phone makes it and shares it with its companions. */
export interface AppStateKey {
  /** Opaque id (6 bytes, as WhatsApp's); base64 of it is how Baileys names the key. */
  keyId: Buffer;
  /** 32 bytes from which the index, value, patch and snapshot MAC keys are derived. */
  keyData: Buffer;
  timestamp: number;
}

/** Every account's app-state collections (server) and the sync key each account's phone holds. */
export class SyncdState {
  private readonly accounts = new Map<string, AccountSyncd>();
  private readonly keys = new Map<string, AppStateKey>();

  of(phone: string): AccountSyncd {
    let found = this.accounts.get(phone);
    if (!found) {
      found = new AccountSyncd();
      this.accounts.set(phone, found);
    }
    return found;
  }

  /** The phone's key, made on first use (a real phone has one from its first app-state write). */
  keyOf(phone: string): AppStateKey {
    let key = this.keys.get(phone);
    if (!key) {
      key = { keyId: randomBytes(6), keyData: randomBytes(32), timestamp: Date.now() };
      this.keys.set(phone, key);
    }
    return key;
  }
}
