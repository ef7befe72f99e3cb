/**
 * Pool failover without waiting for a send (docs/pools.md, "Failover worker"): what the `poolFailover` worker
 * does with a session's status and restriction changes, a pool message's failure, and its own re-checks.
 *
 * - A member **dead** in a pool (logged out, stopped, restricted, deleted, or down past the pool's grace) has its
 *   queued messages of that pool re-routed (`rerouteMember`), each in one transaction with its original.
 * - A member only **down** (reconnecting within the grace) is looked at again when its grace runs out: a
 *   re-check to the worker's own queue with an SQS delay (at most 900 s a hop), repeated until it is due.
 * - A pool message that **failed `reachout_timelocked`** is re-sent through its pool (another member) when its
 *   member is restricted: at once from its `message.status`, and from a scan of the member's messages when the
 *   restriction starts (for a failure whose event came before the restriction was stored).
 * - **Stats**: each pool message's failure is counted once on its member's load; restricted periods open and
 *   close on it from `session.restricted`.
 *
 * Every step is idempotent: re-routes are pool sends under `Idempotency-Key` `reroute-<id>` superseding the
 * original under a condition; counts are conditional writes.
 */
import type { PoolRecheckJob } from '../contracts/pool-failover-job.js';
import { MAX_RECHECK_DELAY_SECONDS } from '../contracts/pool-failover-job.js';
import type { DomainEventOf } from '../domain/events.js';
import { memberHealth } from '../domain/pool-routing.js';
import type { Message } from '../domain/message.js';
import type { Pool } from '../domain/pool.js';
import type { Session } from '../domain/session.js';
import type { EventBus } from '../ports/event-bus.js';
import type { PoolMemberStats } from '../ports/pool-member-stats.js';
import type { PoolRecheckQueue } from '../ports/pool-recheck-queue.js';
import type { ControlPlaneDeps } from './deps.js';
import { rerouteMember, rerouteMessage } from './pool-reroute.js';

export interface PoolFailoverDeps extends ControlPlaneDeps {
  readonly events: EventBus;
  readonly stats: PoolMemberStats;
  readonly recheck: PoolRecheckQueue;
}

/** Queued messages one look at a member re-routes; more go on in a follow-up re-check (function time). */
export const REROUTES_PER_LOOK = 200;
/**
 * The timelocked scan starts this long before the restriction's event: the 463 that revealed the lock failed
 * its message before the lock was fetched, stored and announced.
 */
export const TIMELOCK_LOOKBACK_MS = 10 * 60_000;
/** Messages of the member the timelocked scan reads at most (newest first). */
export const TIMELOCK_SCAN_LIMIT = 500;

export interface LookResult {
  /** Pools the member is dead in (its messages there were re-routed). */
  readonly deadIn: readonly string[];
  readonly moved: number;
  /** Timelocked failures re-sent through another member. */
  readonly resent: number;
  /** Seconds until the next re-check, when the member is down within a pool's grace. */
  readonly recheckInSeconds?: number;
}

interface Health {
  readonly dead: Pool[];
  /** Epoch ms at which the member's grace ends in the first pool it is only `down` in. */
  readonly dueAt?: number;
}

function healthIn(pools: readonly Pool[], session: Session | null, tenantId: string, now: number): Health {
  const dead: Pool[] = [];
  let dueAt: number | undefined;
  for (const pool of pools) {
    const grace = pool.policy.disconnectedGraceSeconds;
    const health = memberHealth(session, tenantId, grace, now);
    if (health.kind === 'dead') dead.push(pool);
    else if (health.kind === 'down' && session) {
      const due = Date.parse(session.downSince ?? session.updatedAt) + grace * 1000;
      dueAt = Math.min(dueAt ?? due, due);
    }
  }
  return { dead, ...(dueAt === undefined ? {} : { dueAt }) };
}

/**
 * Looks at member `sessionId` in every pool of its tenant it belongs to: re-routes what is queued on it in the
 * pools it is dead in, re-sends its timelocked failures since `timelockedSince` (a restriction's start), and
 * schedules a re-check while it is only down.
 */
export async function lookAtMember(
  deps: PoolFailoverDeps,
  tenantId: string,
  sessionId: string,
  options: { readonly timelockedSince?: number } = {},
): Promise<LookResult> {
  const pools = await deps.repos.pools.poolsOfMember(tenantId, sessionId);
  if (pools.length === 0) return { deadIn: [], moved: 0, resent: 0 };
  const session = await deps.repos.sessions.get(tenantId, sessionId);
  const now = deps.now();
  const { dead, dueAt } = healthIn(pools, session, tenantId, now);
  const deadIds = new Set(dead.map((p) => p.id));
  let moved = 0;
  let resent = 0;
  if (deadIds.size > 0) {
    const counts = await rerouteMember(deps, tenantId, sessionId, REROUTES_PER_LOOK, deadIds);
    moved = counts.moved;
    // The limit was reached with progress made: the rest in a follow-up (stuck ones alone would loop).
    if (moved > 0 && counts.moved + counts.left + counts.stuck >= REROUTES_PER_LOOK)
      await deps.recheck.schedule(recheckJob(tenantId, sessionId), 0);
    if (options.timelockedSince !== undefined)
      resent = await resendTimelocked(deps, tenantId, sessionId, deadIds, options.timelockedSince);
  }
  if (dueAt === undefined) return { deadIn: [...deadIds], moved, resent };
  // One second past the grace, so the re-check finds the member dead rather than a hair short of it.
  const recheckInSeconds = Math.min(
    MAX_RECHECK_DELAY_SECONDS,
    Math.max(1, Math.ceil((dueAt - now) / 1000) + 1),
  );
  await deps.recheck.schedule(recheckJob(tenantId, sessionId), recheckInSeconds);
  return { deadIn: [...deadIds], moved, resent, recheckInSeconds };
}

const recheckJob = (tenantId: string, sessionId: string): PoolRecheckJob => ({
  kind: 'pool.recheck',
  tenantId,
  sessionId,
});

const isTimelockedFailure = (m: Message, pools: ReadonlySet<string>): boolean =>
  m.direction === 'outbound' &&
  m.status === 'failed' &&
  m.error?.code === 'reachout_timelocked' &&
  m.reroutedTo === undefined &&
  m.poolId !== undefined &&
  pools.has(m.poolId);

/** The member's messages since `since` (less the lookback) that failed timelocked in `pools`, re-sent. */
async function resendTimelocked(
  deps: PoolFailoverDeps,
  tenantId: string,
  sessionId: string,
  pools: ReadonlySet<string>,
  since: number,
): Promise<number> {
  const tenant = await deps.repos.tenants.get(tenantId);
  if (!tenant) return 0;
  const from = since - TIMELOCK_LOOKBACK_MS;
  let resent = 0;
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.repos.messages.listBySession(sessionId, {
      limit: 100,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const message of page.items) {
      // Newest first: past the window's start, everything further is older still.
      if (Date.parse(message.createdAt) < from) return resent;
      if (!isTimelockedFailure(message, pools)) continue;
      const result = await rerouteMessage(deps, tenant, message, 'failed');
      if (result.kind === 'moved') resent += 1;
    }
    read += page.items.length;
    cursor = page.cursor;
  } while (cursor !== undefined && read < TIMELOCK_SCAN_LIMIT);
  return resent;
}

/**
 * A pool message failed on its member (`message.status` `failed` with `poolId`): counted once on the member's
 * load; a `reachout_timelocked` one is re-sent through the pool when the member is restricted (routing moves the
 * contact; a member no longer restricted keeps it, and the message stays failed).
 */
export async function onPoolMessageFailed(
  deps: PoolFailoverDeps,
  event: DomainEventOf<'message.status'>,
): Promise<{ readonly counted: boolean; readonly resent: boolean }> {
  const { tenantId, sessionId } = event;
  const { poolId, messageId } = event.data;
  if (poolId === undefined || event.data.status !== 'failed' || event.data.error?.code === 'rerouted')
    return { counted: false, resent: false };
  const pool = await deps.repos.pools.get(tenantId, poolId);
  // A pool deleted since, or the session no longer in it: its load item is gone or not kept.
  if (!pool?.members.some((m) => m.sessionId === sessionId)) return { counted: false, resent: false };
  const counted = await deps.stats.countFailure({ tenantId, poolId, sessionId }, messageId);
  if (event.data.error?.code !== 'reachout_timelocked') return { counted, resent: false };
  const [tenant, message] = await Promise.all([
    deps.repos.tenants.get(tenantId),
    deps.repos.messages.get(sessionId, messageId),
  ]);
  if (
    !tenant ||
    !message ||
    message.tenantId !== tenantId ||
    !isTimelockedFailure(message, new Set([poolId]))
  )
    return { counted, resent: false };
  const result = await rerouteMessage(deps, tenant, message, 'failed');
  return { counted, resent: result.kind === 'moved' };
}

/** `session.restricted`: the member's restricted period opens (then its pools are looked at) or closes. */
export async function onRestrictionChanged(
  deps: PoolFailoverDeps,
  event: DomainEventOf<'session.restricted'>,
): Promise<LookResult | null> {
  const { tenantId, sessionId } = event;
  const pools = await deps.repos.pools.poolsOfMember(tenantId, sessionId);
  const members = pools.map((pool) => ({ tenantId, poolId: pool.id, sessionId }));
  if (!event.data.active) {
    await Promise.all(members.map((m) => deps.stats.restrictionEnded(m, event.createdAt)));
    return null;
  }
  await Promise.all(members.map((m) => deps.stats.restrictionStarted(m, event.createdAt, event.data.type)));
  return lookAtMember(deps, tenantId, sessionId, { timelockedSince: Date.parse(event.createdAt) });
}
