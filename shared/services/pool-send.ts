/**
 * `POST /v1/pools/{poolId}/messages` (docs/pools.md, "Send path"): the pool read (started alongside the tenant
 * guard), ONE BatchGetItem for the routing inputs (the contact's assignment, every member's session and load),
 * the routing decision (`shared/domain/pool-routing.ts`), then the session send's own transaction with the
 * assignment and the member's load in it. A transaction refused on those (a racing first send won, the member
 * filled up or stopped) routes again from fresh reads: racers end on the winner's member.
 */
import * as z from 'zod';
import { AppError, ConflictError, NotFoundError } from '../domain/errors.js';
import { makeEvent } from '../domain/events.js';
import { IdSchema } from '../domain/ids.js';
import type { SendMessageRequest } from '../domain/message.js';
import { utcDay, type Pool } from '../domain/pool.js';
import { dailyAllowance, routePoolSend, type RoutingDecision } from '../domain/pool-routing.js';
import type { Tenant } from '../domain/tenant.js';
import type { EventBus } from '../ports/event-bus.js';
import type { PoolRoutingState } from '../ports/pool-repository.js';
import type { PoolSendPart, SendWrite } from '../ports/send-writer.js';
import type { ControlPlaneDeps } from './deps.js';
import {
  RouteStaleError,
  SupersededTakenError,
  assertSendReferences,
  outboundMessage,
  queueOutbound,
  referencesSomething,
} from './messages.js';

/** Racing first sends settle in one round (the loser reads the winner's assignment); a few more for bad luck. */
const MAX_ROUTING_ROUNDS = 5;
/** DynamoDB numbers cannot be infinite: "no cap" is this many new contacts a day. */
const NO_CAP = 1_000_000_000;

export const PoolSendResponseSchema = z.object({
  id: IdSchema,
  status: z.literal('queued'),
  poolId: IdSchema,
  /** The member that sends it: the message is `GET /v1/sessions/{sessionId}/messages/{id}`. */
  sessionId: IdSchema,
});
export type PoolSendResponse = z.infer<typeof PoolSendResponseSchema>;

/** 409 `no-member-available`: no member of the pool can take this contact now (policy `fail`). */
export class NoMemberAvailableError extends AppError {
  readonly status = 409;
  readonly slug = 'no-member-available';
  readonly title = 'No pool member available';
}

export interface PoolSendInput {
  readonly tenant: Tenant;
  readonly poolId: string;
  readonly request: SendMessageRequest;
  readonly idempotencyKey?: string;
  /** The pool's read, when the caller started it alongside the tenant guard. */
  readonly poolRead?: Promise<Pool | null>;
  /** Re-routing a dead member's message (`pool-reroute.ts`): the message this send replaces. */
  readonly supersedes?: SendWrite['supersedes'];
}

type Deps = ControlPlaneDeps & { readonly events: EventBus };

function poolPart(
  pool: Pool,
  contact: string,
  state: PoolRoutingState,
  decision: Extract<RoutingDecision, { kind: 'sticky' | 'assign' }>,
  now: number,
): PoolSendPart {
  const today = utcDay(now);
  const member = pool.members.find((m) => m.sessionId === decision.memberId);
  const allowance = member ? dailyAllowance(member, pool.policy.warmup, now) : 0;
  const common = {
    poolId: pool.id,
    contact,
    allowance: Number.isFinite(allowance) ? allowance : NO_CAP,
    today,
    loadIsToday: state.loads.get(decision.memberId)?.day === today,
  };
  if (decision.kind === 'sticky')
    return { ...common, assignment: { kind: 'keep', version: state.assignment?.version ?? 0 } };
  const at = new Date(now).toISOString();
  const before = state.assignment;
  const item = {
    poolId: pool.id,
    tenantId: pool.tenantId,
    contact,
    memberId: decision.memberId,
    version: (before?.version ?? 0) + 1,
    assignedAt: at,
    history: [
      ...(before?.history ?? []),
      ...(before && decision.previous
        ? [{ memberId: before.memberId, until: at, reason: decision.previous.reason }]
        : []),
    ].slice(-20),
  };
  return before
    ? {
        ...common,
        assignment: {
          kind: 'move',
          expectedVersion: before.version,
          item,
          previousMemberId: before.memberId,
        },
      }
    : { ...common, assignment: { kind: 'create', item } };
}

/** What the route answers, and the member this send moved the contact off (a dead member), if it did. */
export type PoolSendResult = PoolSendResponse & { readonly movedFrom?: string };

export async function sendToPool(deps: Deps, input: PoolSendInput): Promise<PoolSendResult> {
  const { tenant, request } = input;
  const pool = await (input.poolRead ?? deps.repos.pools.get(tenant.id, input.poolId));
  if (!pool) throw new NotFoundError(`No pool ${input.poolId}`);
  if (pool.members.length === 0)
    throw new ConflictError(`Pool ${pool.id} has no members; add sessions first`);
  let checkedReferences = false;
  for (let round = 1; ; round += 1) {
    const now = deps.now();
    const state = await deps.repos.pools.routingState(pool, request.to);
    const decision = routePoolSend({ pool, ...state, now });
    if (decision.kind === 'no-members')
      throw new ConflictError(`Pool ${pool.id} has no members; add sessions first`);
    if (decision.kind === 'no-member-available')
      throw new NoMemberAvailableError(
        `No member of pool ${pool.id} can take ${request.to} now: every member is disconnected, restricted, ` +
          'logged out or at its daily cap (no_member_available)',
      );
    const memberId = decision.memberId;
    // A re-route that would land on the member it leaves has nothing to do: that member is not dead after all.
    if (input.supersedes?.sessionId === memberId) throw new SupersededTakenError();
    // A re-route's body was checked when it was first sent (the host checks media again when it sends).
    if (referencesSomething(request) && !checkedReferences && input.supersedes === undefined) {
      await assertSendReferences(deps, tenant.id, memberId, request);
      checkedReferences = true;
    }
    try {
      const queued = await queueOutbound(deps, {
        tenant,
        message: outboundMessage(tenant.id, memberId, request, now, pool.id),
        fingerprintPath: `POST /v1/pools/${pool.id}/messages`,
        fingerprintBody: request,
        idempotencyScope: `${tenant.id}#pool#${pool.id}`,
        sessionRead: Promise.resolve(state.sessions.get(memberId) ?? null),
        pool: poolPart(pool, request.to, state, decision, now),
        ...(input.supersedes === undefined ? {} : { supersedes: input.supersedes }),
        ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      });
      const response = {
        id: queued.id,
        status: 'queued' as const,
        poolId: pool.id,
        sessionId: queued.sessionId,
      };
      if (decision.kind !== 'assign' || !decision.previous || queued.replayed) return response;
      await publishReassigned(deps, pool, request.to, decision.previous, memberId);
      return { ...response, movedFrom: decision.previous.memberId };
    } catch (error) {
      if (!(error instanceof RouteStaleError) || round >= MAX_ROUTING_ROUNDS) throw error;
    }
  }
}

/** Best effort after the move is stored (as the doorbell): the assignment's history keeps it either way. */
async function publishReassigned(
  deps: Deps,
  pool: Pool,
  contact: string,
  previous: { readonly memberId: string; readonly reason: string },
  to: string,
): Promise<void> {
  await deps.events
    .publish([
      makeEvent('pool.reassigned', {
        tenantId: pool.tenantId,
        sessionId: to,
        data: { poolId: pool.id, contact, from: previous.memberId, to, reason: previous.reason },
      }),
    ])
    .catch(() => undefined);
}
