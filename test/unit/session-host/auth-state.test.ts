import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../../../shared/crypto/envelope.js';
import {
  BlobVersionConflictError,
  type BlobStore,
  type PutBlobOptions,
  type StoredBlob,
} from '../../../shared/ports/blob-store.js';
import {
  CredentialsFrozenError,
  CredentialsUnreadableError,
  SessionAuthStore,
  credentialsKey,
} from '../../../session-host/auth-state.js';

/** A versioned in-memory store with the port's semantics (the S3 adapter has its own adapter tests). */
class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, StoredBlob>();
  puts = 0;
  failWith: Error | undefined;
  async put(key: string, bytes: Uint8Array, options: PutBlobOptions = {}) {
    if (this.failWith) throw this.failWith;
    const current = this.objects.get(key);
    if (options.ifAbsent && current) throw new BlobVersionConflictError(key, 'absent');
    if (options.ifVersion !== undefined && current?.version !== options.ifVersion) {
      throw new BlobVersionConflictError(key, options.ifVersion);
    }
    const version = `v${++this.puts}`;
    this.objects.set(key, { bytes: Buffer.from(bytes), version });
    return { version };
  }
  async get(key: string) {
    return this.objects.get(key) ?? null;
  }
  async exists(key: string) {
    return this.objects.has(key);
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
}

const load = (blobs: BlobStore, errors: unknown[] = []) =>
  SessionAuthStore.load({ blobs, sessionId: 'S1', debounceMs: 60_000, onWriteError: (e) => errors.push(e) });

describe('SessionAuthStore', () => {
  it('starts fresh, writes on flush, and reloads creds and keys (Buffers included)', async () => {
    const blobs = new MemoryBlobStore();
    const first = await load(blobs);
    expect(first.linked).toBe(false);
    await first.state.keys.set({
      'pre-key': { '1': { public: Buffer.from([1, 2]), private: Buffer.from([3]) } },
    });
    first.updateCreds({ registrationId: 4242 });
    await first.flush();
    expect(blobs.puts).toBe(1);
    await first.flush(); // nothing changed: no write
    expect(blobs.puts).toBe(1);

    const second = await load(blobs);
    expect(second.state.creds.registrationId).toBe(4242);
    const keys = await second.state.keys.get('pre-key', ['1', '2']);
    expect(Buffer.isBuffer(keys['1']?.public)).toBe(true);
    expect(keys['1']?.public).toEqual(Buffer.from([1, 2]));
    expect(keys['2']).toBeUndefined();
  });

  it('a stale writer gets a version conflict and never writes again', async () => {
    const blobs = new MemoryBlobStore();
    const seed = await load(blobs);
    seed.updateCreds({ registrationId: 1 });
    await seed.flush();
    const stale = await load(blobs);
    const fresh = await load(blobs);
    fresh.updateCreds({ registrationId: 2 });
    await fresh.flush();

    stale.updateCreds({ registrationId: 3 });
    await expect(stale.flush()).rejects.toBeInstanceOf(BlobVersionConflictError);
    stale.updateCreds({ registrationId: 4 });
    await expect(stale.flush()).rejects.toBeInstanceOf(CredentialsFrozenError);
    expect((await load(blobs)).state.creds.registrationId).toBe(2);
  });

  it('a debounced write failure is reported, and the change is kept for the next flush', async () => {
    const blobs = new MemoryBlobStore();
    const errors: unknown[] = [];
    const store = await SessionAuthStore.load({
      blobs,
      sessionId: 'S1',
      debounceMs: 1,
      onWriteError: (e) => errors.push(e),
    });
    blobs.failWith = new Error('S3 down');
    store.updateCreds({ registrationId: 7 });
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toHaveLength(1);
    blobs.failWith = undefined;
    await store.flush();
    expect((await load(blobs)).state.creds.registrationId).toBe(7);
  });

  it('tampered or invalid content is CredentialsUnreadableError; transient errors pass through', async () => {
    const blobs = new MemoryBlobStore();
    blobs.objects.set(credentialsKey('S1'), { bytes: Buffer.from('{"v":9}'), version: 'x' });
    await expect(load(blobs)).rejects.toBeInstanceOf(CredentialsUnreadableError);

    const tampered: BlobStore = {
      put: (k, b, o) => blobs.put(k, b, o),
      exists: (k) => blobs.exists(k),
      delete: (k) => blobs.delete(k),
      get: async () => {
        throw new DecryptionError('b/k', 'authentication-failed');
      },
    };
    await expect(load(tampered)).rejects.toMatchObject({
      name: 'CredentialsUnreadableError',
      reason: 'authentication-failed',
    });

    const down: BlobStore = {
      put: (k, b, o) => blobs.put(k, b, o),
      exists: (k) => blobs.exists(k),
      delete: (k) => blobs.delete(k),
      get: async () => {
        throw new Error('network');
      },
    };
    await expect(load(down)).rejects.toThrow('network');
  });

  it('erase deletes the object and stops later writes', async () => {
    const blobs = new MemoryBlobStore();
    const store = await load(blobs);
    store.updateCreds({ registrationId: 1 });
    await store.flush();
    await store.erase();
    store.updateCreds({ registrationId: 2 });
    await expect(store.flush()).rejects.toBeInstanceOf(CredentialsFrozenError);
    expect(blobs.objects.size).toBe(0);
  });
});
