/**
 * Early release of a dead host's sessions (docs/session-host.md, "Dead hosts"). Every host beats its item in
 * the `hosts` table each `APP_HEARTBEAT_INTERVAL_MS`: one write per host, however many sessions it runs, so it
 * can beat far more often than leases are renewed (one write per session). A host whose heartbeat is older than
 * `APP_DEAD_HOST_AFTER_MS` while its item is still there (a clean stop deletes it) is taken for dead, and any
 * survivor releases the sessions it owns without waiting for their leases to run out; the next claim round, on
 * this host or another, takes them.
 *
 * Safety does not rest on the host really being dead. Each release is conditional on `owner` still being the
 * dead host, so it can never undo a claim another host already made; and a host that was only paused or cut
 * off is treated exactly like one whose lease ran out: its next renewal fails with `LeaseLostError` and stops
 * the socket, its credential writes are refused by the credential fence (today the object's version check),
 * and its message sends are settled by the conditional `queued -> sending` move and the WhatsApp id a resend
 * reuses. The release only moves the moment a successor may start earlier.
 */
import type { SessionRepository } from '../shared/ports/session-repository.js';
import { forEachBounded } from './bounded-pool.js';
import type { HostRegistry } from '../shared/ports/host-registry.js';
import { errorFields, type HostLogger } from './logger.js';
import { METRIC, type HostMetrics } from './metrics.js';

export interface DeadHostReleaseDeps {
  readonly registry: Pick<HostRegistry, 'listStale'>;
  readonly sessions: Pick<SessionRepository, 'listByOwner' | 'release'>;
  /** This host: never released by itself. */
  readonly hostId: string;
  readonly deadAfterMs: number;
  /** Release writes in flight at once. */
  readonly concurrency: number;
  readonly log: HostLogger;
  readonly metrics: HostMetrics;
}

export class DeadHostReleaser {
  #running = false;

  constructor(private readonly deps: DeadHostReleaseDeps) {}

  /** One pass: releases what every stale host still owns. Returns how many sessions this host released. */
  async releaseDead(now: number = Date.now()): Promise<number> {
    // One pass at a time: a slow pass (throttling) must not overlap the next tick.
    if (this.#running) return 0;
    this.#running = true;
    try {
      return await this.#pass(now);
    } finally {
      this.#running = false;
    }
  }

  async #pass(now: number): Promise<number> {
    const { registry, sessions, hostId, deadAfterMs, concurrency, log, metrics } = this.deps;
    let released = 0;
    for (const dead of await registry.listStale(now - deadAfterMs)) {
      if (dead.hostId === hostId) continue;
      const owned = await sessions.listByOwner(dead.hostId);
      if (owned.length === 0) continue;
      let mine = 0;
      await forEachBounded(owned, concurrency, async (session) => {
        // `false`: another survivor released it first, or a claim already moved it on. Both are fine.
        const ok = await sessions.release(session.id, dead.hostId).catch((error: unknown) => {
          log.warn('dead host session not released', { sessionId: session.id, ...errorFields(error) });
          return false;
        });
        if (ok) mine++;
      });
      if (mine > 0) {
        metrics.count(METRIC.deadHostSessionsReleased, mine);
        log.warn('dead host sessions released', {
          deadHostId: dead.hostId,
          lastHeartbeatAt: dead.heartbeatAt,
          sessions: mine,
        });
      }
      released += mine;
    }
    return released;
  }
}
