/** Pools CRUD, their health and stats, and a contact's assignment (docs/pools.md, docs/api.md "Pools"). */
import * as z from 'zod';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { IdSchema, newId, nowIso, TimestampSchema } from '../domain/ids.js';
import { PhoneSchema } from '../domain/phone.js';
import {
  PoolPolicySchema,
  PoolSchema,
  RestrictedPeriodSchema,
  type CreatePoolRequest,
  type Pool,
  type PoolMember,
  type PoolMemberInput,
  type UpdatePoolRequest,
} from '../domain/pool.js';
import { dailyAllowance, memberHealth, takenToday } from '../domain/pool-routing.js';
import { SessionStatusSchema } from '../domain/session.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { ControlPlaneDeps } from './deps.js';

type Deps = Pick<ControlPlaneDeps, 'repos' | 'now'>;

export const PoolMemberViewSchema = z.object({
  sessionId: IdSchema,
  weight: z.number().int(),
  dailyCap: z.number().int().optional(),
  addedAt: TimestampSchema,
  /** `healthy` takes new contacts; `down` keeps its contacts (within the grace); `dead` loses them on next send. */
  health: z.enum(['healthy', 'down', 'dead']),
  /** Why it is dead: `logged_out`, `restricted`, `stopped`, `deleted`, `disconnected`. */
  reason: z.string().optional(),
  status: SessionStatusSchema.optional(),
  restricted: z.boolean(),
  stats: z.object({
    sent: z.number().int(),
    /** Pool messages that failed on it (not counting those moved to another member as `rerouted`). */
    failed: z.number().int(),
    contactsAssigned: z.number().int(),
    reassignedAway: z.number().int(),
    newContactsToday: z.number().int(),
    /** New contacts it may take today (cap and warm-up); absent: no limit. */
    allowanceToday: z.number().int().optional(),
    /** Reach-out timelocks (463) it went through in this pool. */
    restrictedPeriods: z.number().int(),
    /** The last ten of them, oldest first (`until` absent while it lasts). */
    restrictions: z.array(RestrictedPeriodSchema),
  }),
});

export const PoolViewSchema = z.object({
  id: IdSchema,
  name: z.string(),
  members: z.array(PoolMemberViewSchema),
  policy: PoolPolicySchema,
  totals: z
    .object({
      sent: z.number().int(),
      failed: z.number().int(),
      contactsAssigned: z.number().int(),
      newContactsToday: z.number().int(),
      restrictedPeriods: z.number().int(),
      healthyMembers: z.number().int(),
    })
    .optional(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type PoolView = z.infer<typeof PoolViewSchema>;
export type PoolMemberView = z.infer<typeof PoolMemberViewSchema>;

export const PoolContactViewSchema = z.object({
  poolId: IdSchema,
  contact: PhoneSchema,
  sessionId: IdSchema,
  assignedAt: TimestampSchema,
  history: z.array(z.object({ sessionId: IdSchema, until: TimestampSchema, reason: z.string() })),
});
export type PoolContactView = z.infer<typeof PoolContactViewSchema>;

/** The members as asked, checked: each session is this tenant's (else 404), none twice (409). */
async function resolveMembers(
  deps: Deps,
  tenantId: string,
  inputs: readonly PoolMemberInput[],
  kept: readonly PoolMember[],
  at: string,
): Promise<PoolMember[]> {
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.sessionId))
      throw new ConflictError(`Session ${input.sessionId} is in this pool twice (members)`);
    seen.add(input.sessionId);
  }
  const sessions = await Promise.all(inputs.map((m) => deps.repos.sessions.get(tenantId, m.sessionId)));
  return inputs.map((input, i) => {
    const session = sessions[i];
    if (!session || session.tenantId !== tenantId) throw new NotFoundError(`No session ${input.sessionId}`);
    const before = kept.find((m) => m.sessionId === input.sessionId);
    return {
      sessionId: input.sessionId,
      weight: input.weight ?? 1,
      ...(input.dailyCap === undefined ? {} : { dailyCap: input.dailyCap }),
      addedAt: before?.addedAt ?? at,
    };
  });
}

export async function loadPool(deps: Deps, tenantId: string, poolId: string): Promise<Pool> {
  const pool = await deps.repos.pools.get(tenantId, poolId);
  if (!pool) throw new NotFoundError(`No pool ${poolId}`);
  return pool;
}

export async function createPool(
  deps: Deps,
  tenantId: string,
  request: CreatePoolRequest,
): Promise<PoolView> {
  const now = deps.now();
  const at = nowIso(new Date(now));
  const pool = PoolSchema.parse({
    id: newId(now),
    tenantId,
    name: request.name,
    members: await resolveMembers(deps, tenantId, request.members, [], at),
    policy: request.policy,
    createdAt: at,
    updatedAt: at,
  });
  await deps.repos.pools.create(pool);
  return poolView(deps, pool);
}

export async function updatePool(
  deps: Deps,
  tenantId: string,
  poolId: string,
  request: UpdatePoolRequest,
): Promise<PoolView> {
  const before = await loadPool(deps, tenantId, poolId);
  const at = nowIso(new Date(Math.max(deps.now(), Date.parse(before.updatedAt) + 1)));
  const pool = PoolSchema.parse({
    ...before,
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.members === undefined
      ? {}
      : { members: await resolveMembers(deps, tenantId, request.members, before.members, at) }),
    policy: { ...before.policy, ...request.policy },
    updatedAt: at,
  });
  if (!(await deps.repos.pools.replace(pool, before.updatedAt)))
    throw new ConflictError(`Pool ${poolId} changed meanwhile; read it again`);
  return poolView(deps, pool);
}

export async function deletePool(deps: Deps, tenantId: string, poolId: string): Promise<void> {
  await loadPool(deps, tenantId, poolId);
  await deps.repos.pools.delete(tenantId, poolId);
}

export async function listPools(deps: Deps, tenantId: string, page: PageRequest): Promise<Page<PoolView>> {
  const result = await deps.repos.pools.list(tenantId, page);
  return { ...result, items: result.items.map((p) => basicView(p)) };
}

function basicView(pool: Pool): PoolView {
  return {
    id: pool.id,
    name: pool.name,
    policy: pool.policy,
    members: pool.members.map((m) => ({
      ...m,
      health: 'dead' as const,
      restricted: false,
      stats: {
        sent: 0,
        failed: 0,
        contactsAssigned: 0,
        reassignedAway: 0,
        newContactsToday: 0,
        restrictedPeriods: 0,
        restrictions: [],
      },
    })),
    createdAt: pool.createdAt,
    updatedAt: pool.updatedAt,
  };
}

/** The pool with each member's health (from its session) and stats (from its load item), and the totals. */
export async function poolView(deps: Deps, pool: Pool): Promise<PoolView> {
  const now = deps.now();
  const [sessions, loads] = await Promise.all([
    Promise.all(pool.members.map((m) => deps.repos.sessions.get(pool.tenantId, m.sessionId))),
    deps.repos.pools.loads(pool),
  ]);
  const members = pool.members.map((m, i): PoolMemberView => {
    const session = sessions[i];
    const health = memberHealth(session, pool.tenantId, pool.policy.disconnectedGraceSeconds, now);
    const load = loads.get(m.sessionId);
    const allowance = dailyAllowance(m, pool.policy.warmup, now);
    return {
      ...m,
      health: health.kind,
      ...(health.kind === 'dead' ? { reason: health.reason } : {}),
      ...(session ? { status: session.status } : {}),
      restricted: session?.restriction?.active === true,
      stats: {
        sent: load?.sent ?? 0,
        failed: load?.failed ?? 0,
        contactsAssigned: load?.contactsAssigned ?? 0,
        reassignedAway: load?.reassignedAway ?? 0,
        newContactsToday: takenToday(load, now),
        ...(Number.isFinite(allowance) ? { allowanceToday: allowance } : {}),
        restrictedPeriods: load?.restrictedPeriods ?? 0,
        restrictions: load?.restrictions ?? [],
      },
    };
  });
  const sum = (pick: (m: PoolMemberView) => number): number => members.reduce((t, m) => t + pick(m), 0);
  return {
    ...basicView(pool),
    members,
    totals: {
      sent: sum((m) => m.stats.sent),
      failed: sum((m) => m.stats.failed),
      contactsAssigned: sum((m) => m.stats.contactsAssigned),
      newContactsToday: sum((m) => m.stats.newContactsToday),
      restrictedPeriods: sum((m) => m.stats.restrictedPeriods),
      healthyMembers: members.filter((m) => m.health === 'healthy').length,
    },
  };
}

export async function getPool(deps: Deps, tenantId: string, poolId: string): Promise<PoolView> {
  return poolView(deps, await loadPool(deps, tenantId, poolId));
}

export async function getPoolContact(
  deps: Deps,
  tenantId: string,
  poolId: string,
  contact: string,
): Promise<PoolContactView> {
  await loadPool(deps, tenantId, poolId);
  const assignment = await deps.repos.pools.assignment(poolId, contact);
  if (!assignment || assignment.tenantId !== tenantId)
    throw new NotFoundError(`No assignment for ${contact} in pool ${poolId}`);
  return {
    poolId,
    contact,
    sessionId: assignment.memberId,
    assignedAt: assignment.assignedAt,
    history: assignment.history.map((h) => ({ sessionId: h.memberId, until: h.until, reason: h.reason })),
  };
}
