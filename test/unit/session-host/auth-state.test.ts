import { BufferJSON } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../../../shared/crypto/envelope.js';
import type { BlobStore, PutBlobOptions, StoredBlob } from '../../../shared/ports/blob-store.js';
import {
  CredentialsFencedError,
  type CredentialChange,
  type CredentialFence,
  type CredentialKey,
  type CredentialStore,
  type CredentialValue,
  type SessionCredentials,
} from '../../../shared/ports/credential-store.js';
import type { TransactionPart } from '../../../shared/ports/transaction-part.js';
import {
  CredentialsFrozenError,
  CredentialsUnreadableError,
  SessionAuthStore,
  credentialsKey,
} from '../../../session-host/auth-state.js';
import { ManualTimer } from '../../support/manual-timer.js';

/**
 * The credential store port's semantics in memory (the DynamoDB adapter has its own adapter tests): items per
 * session, a lease tenure per session that fences writes, and a log of every write call.
 */
class MemoryCredentialStore implements CredentialStore {
  readonly items = new Map<string, Map<string, Uint8Array>>();
  readonly lease = new Map<string, CredentialFence>();
  readonly writes: { changes: CredentialChange[]; part: TransactionPart | undefined }[] = [];
  readonly reads: CredentialKey[][] = [];
  failWith: Error | undefined;

  async open(sessionId: string, fence: CredentialFence): Promise<SessionCredentials> {
    const items = this.items.get(sessionId) ?? new Map<string, Uint8Array>();
    this.items.set(sessionId, items);
    const key = (k: CredentialKey) => `${k.type}#${k.id}`;
    return {
      sessionId,
      read: async (keys: readonly CredentialKey[]): Promise<CredentialValue[]> => {
        this.reads.push([...keys]);
        return keys.flatMap((k) => {
          const value = items.get(key(k));
          return value ? [{ ...k, value }] : [];
        });
      },
      write: async (changes: readonly CredentialChange[], part?: TransactionPart) => {
        if (this.failWith) throw this.failWith;
        const held = this.lease.get(sessionId);
        if (held?.hostId !== fence.hostId || held.leaseEpoch !== fence.leaseEpoch) {
          throw new CredentialsFencedError(sessionId, fence.hostId);
        }
        this.writes.push({ changes: [...changes], part });
        for (const c of changes) {
          if (c.value === null) items.delete(key(c));
          else items.set(key(c), c.value);
        }
        const bytes = changes.reduce((n, c) => n + (c.value?.length ?? 0), 0);
        return {
          bytes,
          transactions: 1,
          ...(part ? { part: { applied: part.item['refuse'] !== true } } : {}),
        };
      },
      close: () => undefined,
    };
  }

  async erase(sessionId: string) {
    const items = this.items.get(sessionId)?.size ?? 0;
    this.items.delete(sessionId);
    return { items };
  }
}

/** The pre-#14 bucket, in memory. */
class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, StoredBlob>();
  gets = 0;
  getFails: Error | undefined;
  async put(key: string, bytes: Uint8Array, _options: PutBlobOptions = {}) {
    this.objects.set(key, { bytes: Buffer.from(bytes), version: 'v1' });
    return { version: 'v1' };
  }
  async get(key: string) {
    this.gets++;
    if (this.getFails) throw this.getFails;
    return this.objects.get(key) ?? null;
  }
  async exists(key: string) {
    return this.objects.has(key);
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
}

const A: CredentialFence = { hostId: 'host-a', leaseEpoch: 1 };

function world() {
  const credentials = new MemoryCredentialStore();
  const legacy = new MemoryBlobStore();
  credentials.lease.set('S1', A);
  const errors: unknown[] = [];
  const timer = new ManualTimer();
  const load = (fence: CredentialFence = A, extra: { debounceMs?: number; cacheItems?: number } = {}) =>
    SessionAuthStore.load({
      credentials,
      legacy,
      sessionId: 'S1',
      fence,
      debounceMs: extra.debounceMs ?? 60_000,
      timer,
      ...(extra.cacheItems ? { cacheItems: extra.cacheItems } : {}),
      onWriteError: (e) => errors.push(e),
    });
  return { credentials, legacy, errors, timer, load };
}

const part = (refuse = false): TransactionPart => ({ store: 'dynamodb', item: { refuse } });
/** Resolves after every promise callback queued so far (the in-memory store answers without I/O). */
const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SessionAuthStore', () => {
  it('starts fresh, writes only changed items on flush, and reloads creds and keys (Buffers included)', async () => {
    const { credentials, load } = world();
    const first = await load();
    expect(first.linked).toBe(false);
    await first.state.keys.set({
      'pre-key': {
        '1': { public: Buffer.from([1, 2]), private: Buffer.from([3]) },
        '2': { public: Buffer.from([4]), private: Buffer.from([5]) },
      },
    });
    first.updateCreds({ registrationId: 4242 });
    await first.flush();
    expect(credentials.writes).toHaveLength(1);
    expect(credentials.writes[0]!.changes.map((c) => `${c.type}#${c.id}`).sort()).toEqual([
      'creds#',
      'pre-key#1',
      'pre-key#2',
    ]);
    await first.flush(); // nothing changed: no write
    expect(credentials.writes).toHaveLength(1);

    // One key changes, one goes: exactly those two items, no creds.
    await first.state.keys.set({ 'pre-key': { '1': null }, session: { 'x.0': Buffer.from([9]) } });
    await first.flush();
    expect(credentials.writes[1]!.changes).toEqual([
      { type: 'pre-key', id: '1', value: null },
      expect.objectContaining({ type: 'session', id: 'x.0' }),
    ]);
    expect(first.stats.transactions).toBe(2);
    expect(first.stats.items).toBe(5);

    const second = await load();
    expect(second.state.creds.registrationId).toBe(4242);
    const keys = await second.state.keys.get('pre-key', ['1', '2']);
    expect(keys['1']).toBeUndefined();
    expect(Buffer.isBuffer(keys['2']?.public)).toBe(true);
    expect(keys['2']?.public).toEqual(Buffer.from([4]));
  });

  it('reads keys lazily in one batch per call, keeps a bounded LRU, and remembers absent keys', async () => {
    const { credentials, load } = world();
    const seed = await load();
    await seed.state.keys.set({
      session: Object.fromEntries(['a', 'b', 'c'].map((id) => [id, Buffer.from(id)])),
    });
    await seed.flush();

    const store = await load(A, { cacheItems: 2 });
    const before = credentials.reads.length; // the creds
    expect(store.cachedItems).toBe(0); // nothing read up front
    const got = await store.state.keys.get('session', ['a', 'b', 'missing']);
    expect(Object.keys(got).sort()).toEqual(['a', 'b']);
    expect(credentials.reads.length - before).toBe(1);
    expect(credentials.reads.at(-1)).toHaveLength(3);
    expect(store.cachedItems).toBe(2); // bounded: the oldest of the three went
    // `missing` was the last read: known absent, answered from memory.
    expect(await store.state.keys.get('session', ['missing'])).toEqual({});
    expect(credentials.reads.length - before).toBe(1);
    // `a` was evicted: read again.
    await store.state.keys.get('session', ['a']);
    expect(credentials.reads.length - before).toBe(2);
  });

  it('a set while a read is in flight wins over what the read returns', async () => {
    const { load } = world();
    const seed = await load();
    await seed.state.keys.set({ session: { a: Buffer.from('old') } });
    await seed.flush();
    const store = await load();
    const reading = store.state.keys.get('session', ['a']);
    await store.state.keys.set({ session: { a: Buffer.from('new') } });
    await reading;
    const after = await store.state.keys.get('session', ['a']);
    expect(after['a']).toEqual(Buffer.from('new'));
  });

  it('a writer whose fence is refused freezes and never writes again', async () => {
    const { credentials, load } = world();
    const stale = await load();
    stale.updateCreds({ registrationId: 1 });
    await stale.flush();
    // Another host takes the session: a new tenure.
    const B: CredentialFence = { hostId: 'host-b', leaseEpoch: 2 };
    credentials.lease.set('S1', B);
    const fresh = await load(B);
    fresh.updateCreds({ registrationId: 2 });
    await fresh.flush();

    stale.updateCreds({ registrationId: 3 });
    await expect(stale.flush()).rejects.toBeInstanceOf(CredentialsFencedError);
    stale.updateCreds({ registrationId: 4 });
    await expect(stale.flush()).rejects.toBeInstanceOf(CredentialsFrozenError);
    await expect(stale.flushWith(part())).rejects.toBeInstanceOf(CredentialsFrozenError);
    expect((await load(B)).state.creds.registrationId).toBe(2);
  });

  it('a debounced write failure is reported, and the change is kept for the next flush', async () => {
    const { credentials, errors, timer, load } = world();
    const store = await load(A, { debounceMs: 1 });
    credentials.failWith = new Error('DynamoDB down');
    store.updateCreds({ registrationId: 7 });
    await store.state.keys.set({ session: { a: Buffer.from('1') } });
    expect(timer.fireAll()).toBe(1); // one debounce for both changes
    await settled();
    expect(errors).toHaveLength(1);
    // A newer value of the same key, set after the failure, is the one kept.
    await store.state.keys.set({ session: { a: Buffer.from('2') } });
    credentials.failWith = undefined;
    await store.flush();
    const reloaded = await load();
    expect(reloaded.state.creds.registrationId).toBe(7);
    expect((await reloaded.state.keys.get('session', ['a']))['a']).toEqual(Buffer.from('2'));
  });

  it('a failed debounced write is tried again by the debounce, without waiting for another change', async () => {
    const { credentials, errors, timer, load } = world();
    const store = await load();
    credentials.failWith = new Error('ThrottlingException');
    store.updateCreds({ registrationId: 8 });
    timer.fireAll();
    await settled();
    expect(errors).toHaveLength(1);
    expect(timer.armed).toBe(1); // armed again with nothing new changed
    credentials.failWith = undefined;
    timer.fireAll();
    await settled();
    expect(credentials.writes).toHaveLength(1);
    expect(timer.armed).toBe(0);
    expect((await load()).state.creds.registrationId).toBe(8);
    // A refused fence freezes the store: nothing is armed again.
    credentials.lease.set('S1', { hostId: 'host-b', leaseEpoch: 2 });
    store.updateCreds({ registrationId: 9 });
    timer.fireAll();
    await settled();
    expect(errors.at(-1)).toBeInstanceOf(CredentialsFencedError);
    expect(timer.armed).toBe(0);
  });

  it('flushWith writes the pending keys and the part in one call; alone when nothing changed', async () => {
    const { credentials, load } = world();
    const store = await load();
    await store.state.keys.set({ session: { a: Buffer.from('1') } });
    expect(await store.flushWith(part())).toEqual({ applied: true });
    expect(credentials.writes).toHaveLength(1);
    expect(credentials.writes[0]!.changes).toHaveLength(1);
    expect(credentials.writes[0]!.part).toBeDefined();
    expect(await store.flushWith(part(true))).toEqual({ applied: false });
    expect(credentials.writes[1]!.changes).toEqual([]);
  });

  it("a debounce due while a send holds it does not write: the keys ride in the send's flushWith", async () => {
    const { credentials, timer, errors, load } = world();
    const store = await load();
    const release = store.hold();
    await store.state.keys.set({ session: { a: Buffer.from('1') } }); // Baileys encrypts the send
    expect(timer.fireAll()).toBe(1); // the debounce comes due before the server's ack
    await settled();
    expect(credentials.writes).toHaveLength(0);
    expect(await store.flushWith(part())).toEqual({ applied: true });
    release();
    await settled();
    expect(credentials.writes).toHaveLength(1);
    expect(credentials.writes[0]!.changes.map((c) => `${c.type}#${c.id}`)).toEqual(['session#a']);
    expect(credentials.writes[0]!.part).toBeDefined();
    expect(errors).toEqual([]);
  });

  it('what a held debounce left pending is flushed when the last hold ends (a send that failed)', async () => {
    const { credentials, timer, load } = world();
    const store = await load();
    const first = store.hold();
    const second = store.hold();
    await store.state.keys.set({ session: { a: Buffer.from('1') } });
    timer.fireAll();
    first();
    first(); // idempotent: does not end the second hold
    await settled();
    expect(credentials.writes).toHaveLength(0);
    second();
    await settled();
    expect(credentials.writes).toHaveLength(1);
    expect(credentials.writes[0]!.part).toBeUndefined();
    // A hold whose debounce never came due leaves the timer armed, and writes nothing on release.
    const third = store.hold();
    store.updateCreds({ registrationId: 5 });
    third();
    await settled();
    expect(credentials.writes).toHaveLength(1);
    expect(timer.armed).toBe(1);
  });

  it('migrates a legacy S3 object on first attach: items written (creds last), object deleted', async () => {
    const { credentials, legacy, load } = world();
    const legacyState = {
      v: 1,
      creds: { noiseKey: { public: Buffer.from([1]) }, signedIdentityKey: {}, registrationId: 99 },
      keys: { session: { 'x.0': { chain: Buffer.from([7, 7]) } }, 'pre-key': { '5': { k: 1 } } },
    };
    await legacy.put(credentialsKey('S1'), Buffer.from(JSON.stringify(legacyState, BufferJSON.replacer)));
    const store = await load();
    expect(store.state.creds.registrationId).toBe(99);
    expect(credentials.writes).toHaveLength(1);
    expect(credentials.writes[0]!.changes.map((c) => c.type)).toEqual(['session', 'pre-key', 'creds']);
    expect(legacy.objects.size).toBe(0);
    expect((await store.state.keys.get('session', ['x.0']))['x.0']).toEqual({ chain: Buffer.from([7, 7]) });

    // The next attach reads the items only; the bucket is not asked again.
    const gets = legacy.gets;
    expect((await load()).state.creds.registrationId).toBe(99);
    expect(legacy.gets).toBe(gets);
  });

  it('an unreadable legacy object or item is CredentialsUnreadableError; transient errors pass through', async () => {
    const bad = world();
    await bad.legacy.put(credentialsKey('S1'), Buffer.from('{"v":9}'));
    await expect(bad.load()).rejects.toBeInstanceOf(CredentialsUnreadableError);

    const tampered = world();
    tampered.legacy.getFails = new DecryptionError('b/k', 'authentication-failed');
    await expect(tampered.load()).rejects.toMatchObject({
      name: 'CredentialsUnreadableError',
      reason: 'authentication-failed',
    });

    const down = world();
    down.legacy.getFails = new Error('network');
    await expect(down.load()).rejects.toThrow('network');

    const item = world();
    item.credentials.open = async () => {
      throw new DecryptionError('credentials S1/dataKey', 'wrapped-key-rejected');
    };
    await expect(item.load()).rejects.toMatchObject({ reason: 'wrapped-key-rejected' });
  });

  it('erase deletes the items and the legacy object and stops later writes', async () => {
    const { credentials, legacy, load } = world();
    const store = await load();
    store.updateCreds({ registrationId: 1 });
    await store.flush();
    await legacy.put(credentialsKey('S1'), Buffer.from('{}'));
    await store.erase();
    store.updateCreds({ registrationId: 2 });
    await expect(store.flush()).rejects.toBeInstanceOf(CredentialsFrozenError);
    expect(credentials.items.has('S1')).toBe(false);
    expect(legacy.objects.size).toBe(0);
  });
});
