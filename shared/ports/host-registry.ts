/**
 * The registry of live session hosts (the `hosts` table): each host beats into it, peers read it to hand
 * sessions over, and the sweepers find hosts whose heartbeat is gone (their queues and leases to release).
 */
import type { HostItem } from '../domain/host.js';

export interface HostRegistry {
  /** Writes the host's item with `heartbeatUntil = now + ttlMs`. */
  beat(item: Omit<HostItem, 'heartbeatAt' | 'heartbeatUntil' | 'expiresAt'>, ttlMs: number): Promise<void>;
  /** A clean stop: the host deleted its own queue. */
  remove(hostId: string): Promise<void>;
  /** Hosts whose heartbeat ran out by `now` (epoch ms). */
  listDead(now: number): Promise<HostItem[]>;
  /**
   * Hosts whose last heartbeat is older than `staleBefore` (epoch ms) but whose item is still there: crashed or
   * cut off, not yet swept. A clean stop deletes its own item, so it never shows here.
   */
  listStale(staleBefore: number): Promise<HostItem[]>;
  /** Live hosts (last heartbeat at or after `freshAfter`, epoch ms), e.g. to hand sessions over to. */
  listLive(freshAfter: number): Promise<HostItem[]>;
  /** Deletes the item only if the host did not come back meanwhile; false when it did. */
  forgetIfDead(hostId: string, now: number): Promise<boolean>;
}
