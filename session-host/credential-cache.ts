/**
 * The working set of one session's Signal keys in memory (issue #14): a bounded LRU, so a host holds what its
 * sessions use now, not every key of every contact of every session. An entry is a value or `null` ("known
 * absent": Baileys asks for keys that do not exist, e.g. a contact's first session, and the answer is worth
 * keeping). Changed keys not yet written live outside the cache (`SessionAuthStore`'s pending set), so an
 * eviction never loses a change.
 */

/** Entries per session by default: a few hundred contacts in active conversation, prekeys in flight. */
export const DEFAULT_CREDENTIAL_CACHE_ITEMS = 2_048;

export class CredentialCache {
  readonly #entries = new Map<string, unknown>();

  constructor(readonly capacity: number = DEFAULT_CREDENTIAL_CACHE_ITEMS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('cache capacity must be >= 1');
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The cached value (`null`: known absent), or `undefined` when not cached. Marks the entry recently used. */
  get(key: string): unknown {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key);
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: string, value: unknown): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
