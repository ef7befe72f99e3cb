/**
 * Graceful handover on SIGTERM (docs/session-host.md, "Handover"): instead of closing every session at once and
 * leaving the others to find them on their next claim round, the stopping host moves them a few at a time. For
 * each session it lets the sends already under way finish (up to `APP_HANDOVER_SETTLE_MS`), flushes the credentials, closes the socket without logging out and releases the lease (the
 * runner's `SHUTDOWN` plan), then rings a live peer's queue with `session.start` so the peer claims it at once,
 * and waits (up to `APP_HANDOVER_WAIT_MS`) until the peer reports it `connected` before freeing the slot. So at
 * most `APP_HANDOVER_CONCURRENCY` sessions are between hosts at any moment, while the rest keep sending and
 * receiving on this host until their turn; the peers' connect pacers are never flooded with the whole host.
 *
 * Doorbells that still reach this host's queue for a session it already handed over (the API read the owner
 * just before the release) are forwarded to the session's new owner (`forward`), and the host keeps polling its
 * queue for `APP_HANDOVER_GRACE_MS` after the last session left, so such a send is not left for a drain that
 * already ran.
 *
 * Without a live peer (the last host of a deploy) the sessions are simply released, as before.
 */
import type { HostCommand } from '../shared/contracts/host-command.js';
import type { Session } from '../shared/domain/session.js';
import type { HostCommandQueue } from '../shared/ports/host-command-queue.js';
import type { HostDoorbell } from '../shared/services/host-doorbell.js';
import type { SessionRepository } from '../shared/ports/session-repository.js';
import { forEachBounded } from './bounded-pool.js';
import type { HostItem } from '../shared/domain/host.js';
import type { HostRegistry } from '../shared/ports/host-registry.js';
import { errorFields, type HostLogger } from './logger.js';
import { METRIC, type HostMetrics } from './metrics.js';
import type { SessionRunner } from './runner.js';
import { SHUTDOWN } from './stop-plans.js';

const POLL_MS = 100;

export interface HandoverDeps {
  readonly hostId: string;
  readonly registry: Pick<HostRegistry, 'listLive'>;
  readonly queue: Pick<HostCommandQueue, 'send'>;
  readonly sessions: Pick<SessionRepository, 'getById'>;
  /** Rings a session's owner (shared/services/host-doorbell.ts). */
  readonly doorbell: Pick<HostDoorbell, 'ring'>;
  /** A peer whose heartbeat is at most this old counts as live. */
  readonly liveWithinMs: number;
  /** Sessions between hosts at once. */
  readonly concurrency: number;
  /** How long a session's pending sends may take to finish before its socket closes. */
  readonly settleMs: number;
  /** How long to wait for a peer to report a session `connected` before moving on to the next one. */
  readonly waitMs: number;
  /**
   * Budget of the whole handover: past it, the remaining sessions are released and rung without waiting, so a
   * stop always ends well inside the task's stop timeout.
   */
  readonly maxMs: number;
  readonly log: HostLogger;
  readonly metrics: HostMetrics;
}

export type HandoverRunner = Pick<SessionRunner, 'sessionId' | 'tenantId' | 'stop' | 'settle'>;

export interface HandoverReport {
  readonly sessions: number;
  /** Rung to a peer and seen `connected` there within the wait. */
  readonly moved: number;
  /** Rung to a peer but not seen connected in time (the peer or a claim round still takes it). */
  readonly pending: number;
  readonly peers: number;
}

interface Peer {
  readonly hostId: string;
  readonly queueUrl: string;
  room: number;
}

export class Handover {
  constructor(private readonly deps: HandoverDeps) {}

  async run(runners: readonly HandoverRunner[]): Promise<HandoverReport> {
    const peers = await this.#peers();
    const giveUpAt = Date.now() + this.deps.maxMs;
    let moved = 0;
    let pending = 0;
    await forEachBounded(runners, this.deps.concurrency, async (runner) => {
      await runner.settle(Math.min(this.deps.settleMs, giveUpAt - Date.now()));
      await runner.stop(SHUTDOWN);
      const releasedAt = new Date().toISOString();
      const peer = this.#pick(peers);
      if (!peer || !(await this.#ring(peer, runner))) return;
      if (await this.#connectedElsewhere(runner.sessionId, releasedAt, giveUpAt)) moved++;
      else pending++;
    });
    if (moved > 0) this.deps.metrics.count(METRIC.sessionsHandedOver, moved);
    const report = { sessions: runners.length, moved, pending, peers: peers.length };
    this.deps.log.info('handover done', { ...report });
    return report;
  }

  /**
   * A doorbell for a session this host no longer runs, received while stopping: passed on to the session's
   * current owner. A session with no owner yet needs nothing: whoever claims it drains its backlog after the
   * claim, and the work was in DynamoDB before the doorbell was rung.
   */
  async forward(command: HostCommand): Promise<void> {
    if (command.type === 'session.start') return;
    const session = await this.deps.sessions.getById(command.sessionId);
    if (!session || session.tenantId !== command.tenantId) return;
    if (session.owner === undefined || session.owner === this.deps.hostId) return;
    const outcome = await this.deps.doorbell.ring(session, command);
    this.deps.log.info('doorbell forwarded after handover', {
      sessionId: command.sessionId,
      type: command.type,
      owner: session.owner,
      outcome,
    });
  }

  async #peers(): Promise<Peer[]> {
    const { registry, hostId, liveWithinMs, log } = this.deps;
    try {
      const live = await registry.listLive(Date.now() - liveWithinMs);
      return live
        .filter((h: HostItem) => h.hostId !== hostId)
        .map((h) => ({ hostId: h.hostId, queueUrl: h.queueUrl, room: h.capacity - h.sessions }))
        .filter((p) => p.room > 0);
    } catch (error) {
      log.warn('no peers for the handover; sessions are released only', errorFields(error));
      return [];
    }
  }

  /** The peer with the most room left (by its last heartbeat, less what this handover already sent it). */
  #pick(peers: Peer[]): Peer | undefined {
    let best: Peer | undefined;
    for (const p of peers) if (p.room > 0 && (!best || p.room > best.room)) best = p;
    if (best) best.room--;
    return best;
  }

  async #ring(peer: Peer, runner: HandoverRunner): Promise<boolean> {
    try {
      await this.deps.queue.send(peer.queueUrl, {
        type: 'session.start',
        tenantId: runner.tenantId,
        sessionId: runner.sessionId,
        sentAt: new Date().toISOString(),
      });
      return true;
    } catch (error) {
      // The session is released: a claim round (any host) takes it within one claim interval.
      peer.room = 0;
      this.deps.log.warn('handover doorbell failed', {
        sessionId: runner.sessionId,
        peer: peer.hostId,
        ...errorFields(error),
      });
      return false;
    }
  }

  /** Polls the session item until another host owns it and wrote `connected` after the release. */
  async #connectedElsewhere(sessionId: string, releasedAt: string, giveUpAt: number): Promise<boolean> {
    const deadline = Math.min(Date.now() + this.deps.waitMs, giveUpAt);
    while (Date.now() < deadline) {
      const session: Session | null = await this.deps.sessions.getById(sessionId).catch(() => null);
      if (session && session.desired === 'stopped') return false;
      if (
        session?.owner !== undefined &&
        session.owner !== this.deps.hostId &&
        session.status === 'connected' &&
        session.updatedAt > releasedAt
      )
        return true;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return false;
  }
}
