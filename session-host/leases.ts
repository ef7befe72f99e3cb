/**
 * Session ownership on this host (DESIGN.md section 3, docs/session-host.md "Lease timing"):
 * - claim: every `APP_CLAIM_INTERVAL_MS` plus jitter, find sessions wanted running whose lease is unowned or
 *   expired, put those with queued messages first (claim-priority.ts) and claim them (one conditional write
 *   each, `APP_CLAIM_CONCURRENCY` in flight) up to the host's capacity;
 * - renew: every `APP_LEASE_RENEW_MS`, extend every lease in batches (`renewMany`); `LeaseLostError` (another host took it) stops that
 *   socket at once, and so does a renewal that keeps failing until the lease would have run out (a partitioned
 *   host must assume a successor); a session whose `desired` turned `stopped` is stopped and released.
 */
import type { Session } from '../shared/domain/session.js';
import { LeaseLostError, type SessionRepository } from '../shared/ports/session-repository.js';
import { forEachBounded } from './bounded-pool.js';
import { prioritizeClaims, type QueuedProbe } from './claim-priority.js';
import type { HostConfig } from './config.js';
import { errorFields, type HostLogger } from './logger.js';
import { METRIC, type HostMetrics } from './metrics.js';
import type { SessionRunner } from './runner.js';

export interface LeaseKeeperDeps {
  readonly config: HostConfig;
  readonly sessions: SessionRepository;
  readonly log: HostLogger;
  readonly metrics: HostMetrics;
  /** The host's live runners. */
  readonly runners: () => Iterable<SessionRunner>;
  readonly load: () => number;
  /** Starts a runner for a session this host just claimed. */
  readonly run: (session: Session) => void;
  /** The tenant set `desired = stopped`: close, status `disconnected`, release. */
  readonly stopWanted: (runner: SessionRunner) => Promise<void>;
  /** Whether a session has queued messages (claimed first); omitted: claim in `findClaimable`'s order. */
  readonly hasQueued?: QueuedProbe;
}

export class LeaseKeeper {
  #claimTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #claiming = false;
  /** A `claimSoon` arrived during a round: run the next one at once. */
  #again = false;
  #renewing = false;
  #renewStopped = false;
  #stopped = false;
  /** Claims in flight: counted against capacity so concurrent claims never overshoot it. */
  #inFlight = 0;
  /** Epoch ms until which each session's lease is known to hold. */
  readonly #leaseUntil = new Map<string, number>();

  constructor(private readonly deps: LeaseKeeperDeps) {}

  start(): void {
    this.#scheduleClaim(0);
    this.#renewTimer = setInterval(() => void this.renewAll(), this.deps.config.renewMs);
  }

  /**
   * Stops claiming but keeps renewing what this host still runs (a handover moves sessions one by one; those
   * waiting their turn must not lose their leases meanwhile).
   */
  stopClaiming(): void {
    this.#stopped = true;
    clearTimeout(this.#claimTimer);
  }

  /** Stops claiming and renewing (shutdown); leases are released by the runners. */
  stop(): void {
    this.stopClaiming();
    this.#renewStopped = true;
    clearInterval(this.#renewTimer);
  }

  /**
   * Runs a claim round as soon as possible (sessions were just released: a dead host's, a handover): now if no
   * round is running, else right after the current one.
   */
  claimSoon(): void {
    if (this.#stopped) return;
    if (this.#claiming) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#claimTimer);
    this.#scheduleClaim(0);
  }

  /** Tries to claim one session now (a `session.start` doorbell). Returns whether it is ours and running. */
  async claimOne(sessionId: string): Promise<boolean> {
    return this.#tryClaim(sessionId);
  }

  /**
   * One claim round: the candidates, queued work first, claimed `claimConcurrency` at a time. Returns how many
   * this host took. A lost race (another host was faster) is simply skipped.
   */
  async claimRound(): Promise<number> {
    if (this.#stopped || this.#claiming) return 0;
    this.#claiming = true;
    let claimed = 0;
    try {
      const room = this.#room();
      if (room <= 0) return 0;
      const { config, sessions, hasQueued } = this.deps;
      const found = await sessions.findClaimable(Date.now(), room);
      const candidates = hasQueued
        ? await prioritizeClaims(found, hasQueued, config.claimConcurrency)
        : found;
      await forEachBounded(candidates, config.claimConcurrency, async (candidate) => {
        // One failed write (throttling) must not end the round for the others.
        const ok = await this.#tryClaim(candidate.id).catch((error: unknown) => {
          this.deps.log.warn('claim failed', { sessionId: candidate.id, ...errorFields(error) });
          return false;
        });
        if (ok) claimed++;
      });
    } catch (error) {
      this.deps.log.warn('claim round failed', errorFields(error));
    } finally {
      this.#claiming = false;
    }
    return claimed;
  }

  #room(): number {
    return this.deps.config.capacity - this.deps.load() - this.#inFlight;
  }

  async #tryClaim(sessionId: string): Promise<boolean> {
    if (this.#stopped || this.#room() <= 0) return false;
    this.#inFlight++;
    try {
      const { config, sessions } = this.deps;
      const now = Date.now();
      const session = await sessions.claim(sessionId, config.hostId, config.leaseMs, now);
      if (!session) return false;
      if (this.#stopped) {
        // Stopped (handover) while the write was in flight: give it straight back rather than sit on it.
        await sessions.release(sessionId, config.hostId).catch(() => false);
        return false;
      }
      this.#claimed(session, now);
      return true;
    } finally {
      this.#inFlight--;
    }
  }

  async renewAll(): Promise<void> {
    // A slow round (DynamoDB throttling) must not overlap the next one.
    if (this.#renewStopped || this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#renewEach();
    } finally {
      this.#renewing = false;
    }
  }

  /**
   * One round: every lease in batches (`renewMany`, ceil(N / 25) calls), then the single `renew` for each session
   * the batch refused, which says why (taken by another host, stopped by its tenant, gone) as it always did.
   */
  async #renewEach(): Promise<void> {
    const { sessions, config } = this.deps;
    const runners = [...this.deps.runners()].filter((runner) => !runner.stopping);
    if (runners.length === 0) return;
    const now = Date.now();
    const outcomes = await sessions.renewMany(
      runners.map((runner) => runner.sessionId),
      config.hostId,
      config.leaseMs,
      now,
    );
    await Promise.all(
      runners.map(async (runner) => {
        const outcome = outcomes.get(runner.sessionId) ?? 'refused';
        if (outcome === 'renewed') this.#leaseUntil.set(runner.sessionId, now + config.leaseMs);
        else if (outcome === 'refused') await this.#renewOne(runner);
        else await this.#renewalFailed(runner, outcome.failed);
      }),
    );
  }

  async #renewOne(runner: SessionRunner): Promise<void> {
    const { sessions, config } = this.deps;
    if (runner.stopping) return;
    const now = Date.now();
    try {
      const session = await sessions.renew(runner.sessionId, config.hostId, config.leaseMs, now);
      this.#leaseUntil.set(runner.sessionId, now + config.leaseMs);
      if (session.desired === 'stopped' && !runner.stopping) await this.deps.stopWanted(runner);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.deps.log.warn('lease lost; stopping the socket', { sessionId: runner.sessionId });
        this.forget(runner.sessionId);
        await runner.onLeaseLost();
        return;
      }
      await this.#renewalFailed(runner, error);
    }
  }

  /** A renewal that proved nothing: keep the session while its lease surely holds, else assume a successor. */
  async #renewalFailed(runner: SessionRunner, error: unknown): Promise<void> {
    const until = this.#leaseUntil.get(runner.sessionId) ?? 0;
    this.deps.log.warn('lease renewal failed', { sessionId: runner.sessionId, ...errorFields(error) });
    if (Date.now() + this.deps.config.renewMs >= until) {
      // We cannot prove we still own it before it runs out: assume a successor, stop now.
      this.forget(runner.sessionId);
      await runner.onLeaseLost();
    }
  }

  forget(sessionId: string): void {
    this.#leaseUntil.delete(sessionId);
  }

  #claimed(session: Session, now: number): void {
    this.#leaseUntil.set(session.id, now + this.deps.config.leaseMs);
    this.deps.metrics.count(METRIC.sessionsClaimed);
    this.deps.log.info('session claimed', { sessionId: session.id, tenantId: session.tenantId });
    this.deps.run(session);
  }

  #scheduleClaim(delay: number): void {
    if (this.#stopped) return;
    // `claimRound` never rejects (it logs a failed round), so the next round is always scheduled.
    this.#claimTimer = setTimeout(() => {
      void this.claimRound().then(() => {
        const { claimIntervalMs, claimJitterMs } = this.deps.config;
        const again = this.#again;
        this.#again = false;
        this.#scheduleClaim(again ? 0 : claimIntervalMs + Math.floor(Math.random() * (claimJitterMs + 1)));
      });
    }, delay);
  }
}
