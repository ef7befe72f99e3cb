/**
 * Which member of a pool sends to a contact (docs/pools.md, "Routing"): a pure function of what one BatchGetItem
 * read (the pool, the contact's assignment, every member's session and load), so the policy is unit-tested
 * without DynamoDB and every racing send computes the same answer from the same reads.
 */
import type { Pool, PoolAssignment, PoolMember, PoolMemberLoad } from './pool.js';
import { utcDay } from './pool.js';
import type { Session } from './session.js';

const DAY_MS = 86_400_000;

/** Why a member cannot keep its contacts; also the reason written in the assignment's history. */
export type DeadReason = 'deleted' | 'removed' | 'logged_out' | 'stopped' | 'restricted' | 'disconnected';

export type MemberHealth =
  /** Connected, not restricted: may take new contacts (within its cap) and keeps its own. */
  | { readonly kind: 'healthy' }
  /** Reconnecting or starting within the pool's grace: keeps its contacts (their sends wait), takes no new ones. */
  | { readonly kind: 'down' }
  /** Its contacts move to other members on their next send. */
  | { readonly kind: 'dead'; readonly reason: DeadReason };

const DEAD_STATUSES: Readonly<Record<string, DeadReason>> = {
  logged_out: 'logged_out',
  failed: 'stopped',
  qr_expired: 'stopped',
  disconnected: 'stopped',
};

/** A member's health from its session item (`null`: deleted, or not this tenant's). */
export function memberHealth(
  session: Session | null | undefined,
  tenantId: string,
  graceSeconds: number,
  now: number,
): MemberHealth {
  if (!session || session.tenantId !== tenantId) return { kind: 'dead', reason: 'deleted' };
  // The status first: a logout also stops the session, and `logged_out` is what the tenant needs to know.
  const dead = DEAD_STATUSES[session.status];
  if (dead) return { kind: 'dead', reason: dead };
  if (session.desired !== 'running') return { kind: 'dead', reason: 'stopped' };
  // A reach-out timelock: the member could not even answer its own contacts' first sends reliably; move them.
  if (session.restriction?.active) return { kind: 'dead', reason: 'restricted' };
  if (session.status === 'connected') return { kind: 'healthy' };
  // Starting, reconnecting, or waiting for a link: down since it left `connected` (not since its last write:
  // every reconnect attempt writes the status again).
  const downForMs = now - Date.parse(session.downSince ?? session.updatedAt);
  return downForMs <= graceSeconds * 1000 ? { kind: 'down' } : { kind: 'dead', reason: 'disconnected' };
}

/** New contacts the member may take today: the lower of its `dailyCap` and its warm-up day's allowance. */
export function dailyAllowance(member: PoolMember, warmup: readonly number[], now: number): number {
  const daysIn = Math.floor(now / DAY_MS) - Math.floor(Date.parse(member.addedAt) / DAY_MS);
  const ramp = warmup[Math.max(0, daysIn)];
  return Math.min(member.dailyCap ?? Number.POSITIVE_INFINITY, ramp ?? Number.POSITIVE_INFINITY);
}

/** New contacts the member took today (a load item of an earlier day counts as none). */
export function takenToday(load: PoolMemberLoad | undefined, now: number): number {
  return load?.day === utcDay(now) ? load.newContactsToday : 0;
}

export interface RoutingInput {
  readonly pool: Pool;
  readonly assignment: PoolAssignment | null;
  /** Every member's session by id (`null` or absent: deleted). */
  readonly sessions: ReadonlyMap<string, Session | null>;
  readonly loads: ReadonlyMap<string, PoolMemberLoad>;
  readonly now: number;
}

export type RoutingDecision =
  /** The contact's member keeps it (healthy, or down within grace: the send waits queued on it). */
  | { readonly kind: 'sticky'; readonly memberId: string }
  /** A new contact, or one whose member died: this member takes it (`previous`: the member it leaves). */
  | {
      readonly kind: 'assign';
      readonly memberId: string;
      readonly previous?: { readonly memberId: string; readonly reason: DeadReason };
    }
  /** The pool has no members at all. */
  | { readonly kind: 'no-members' }
  /** No member can take it now (policy `fail`, or nothing even to wait on). */
  | { readonly kind: 'no-member-available' };

interface Candidate {
  readonly member: PoolMember;
  readonly health: MemberHealth;
  readonly room: number;
  readonly taken: number;
  readonly lastSentAt: number;
}

/** Least loaded today for its weight first, then least recently loaded, then by id (every racer agrees). */
function byLoad(a: Candidate, b: Candidate): number {
  const share = a.taken / a.member.weight - b.taken / b.member.weight;
  if (share !== 0) return share;
  if (a.lastSentAt !== b.lastSentAt) return a.lastSentAt - b.lastSentAt;
  return a.member.sessionId < b.member.sessionId ? -1 : a.member.sessionId > b.member.sessionId ? 1 : 0;
}

export function routePoolSend(input: RoutingInput): RoutingDecision {
  const { pool, assignment, now } = input;
  if (pool.members.length === 0) return { kind: 'no-members' };
  const grace = pool.policy.disconnectedGraceSeconds;
  const healthOf = (memberId: string): MemberHealth =>
    memberHealth(input.sessions.get(memberId), pool.tenantId, grace, now);

  let previous: { memberId: string; reason: DeadReason } | undefined;
  if (assignment) {
    const member = pool.members.find((m) => m.sessionId === assignment.memberId);
    if (!member) previous = { memberId: assignment.memberId, reason: 'removed' };
    else {
      const health = healthOf(member.sessionId);
      if (health.kind !== 'dead') return { kind: 'sticky', memberId: member.sessionId };
      previous = { memberId: member.sessionId, reason: health.reason };
    }
  }

  const candidates: Candidate[] = pool.members.map((member) => {
    const load = input.loads.get(member.sessionId);
    const taken = takenToday(load, now);
    return {
      member,
      health: healthOf(member.sessionId),
      taken,
      room: dailyAllowance(member, pool.policy.warmup, now) - taken,
      lastSentAt: load?.lastSentAt ?? 0,
    };
  });
  const open = (kind: MemberHealth['kind']): Candidate | undefined =>
    candidates
      .filter((c) => c.health.kind === kind && c.room > 0)
      .sort(byLoad)
      .at(0);
  const chosen = open('healthy') ?? (pool.policy.whenNoMember === 'wait' ? open('down') : undefined);
  if (!chosen) return { kind: 'no-member-available' };
  return { kind: 'assign', memberId: chosen.member.sessionId, ...(previous ? { previous } : {}) };
}
