/**
 * Re-routing a dead pool member's messages (docs/pools.md, "Failover"): each message it never sent is sent again
 * through its pool (the contact moves to another member) in ONE transaction with the original's update, which
 * is conditioned on the original being as found (still `queued`, or `failed` `reachout_timelocked` and not moved
 * yet). So a message its member took meanwhile is left to it, and none goes out from two members; a retried
 * event replays the same re-route (`Idempotency-Key` `reroute-<id>` at pool scope).
 */
import { AppError } from '../domain/errors.js';
import { SendMessageRequestSchema, type Message, type SendMessageRequest } from '../domain/message.js';
import type { Tenant } from '../domain/tenant.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ControlPlaneDeps } from './deps.js';
import { SupersededTakenError } from './messages.js';
import { sendToPool } from './pool-send.js';

type Deps = ControlPlaneDeps & { readonly events: EventBus };

export type RerouteResult =
  | { readonly kind: 'moved'; readonly to: { readonly sessionId: string; readonly messageId: string } }
  /** Taken by its member, moved already, or the member is not dead after all. */
  | { readonly kind: 'left' }
  /** Cannot be re-routed (no member can take it, the pool is gone, the body no longer validates): stays. */
  | { readonly kind: 'stuck'; readonly why: string };

/** The send request a stored message came from. A quoted message belongs to the old number: not carried over. */
export function requestOf(message: Message): SendMessageRequest | null {
  if (message.to === undefined) return null;
  const parsed = SendMessageRequestSchema.safeParse({
    to: message.to,
    ...message.content,
    ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
  });
  return parsed.success ? parsed.data : null;
}

export async function rerouteMessage(
  deps: Deps,
  tenant: Tenant,
  message: Message,
  expect: 'queued' | 'failed',
): Promise<RerouteResult> {
  const request = requestOf(message);
  if (message.poolId === undefined || request === null) return { kind: 'stuck', why: 'not a pool send' };
  try {
    const sent = await sendToPool(deps, {
      tenant,
      poolId: message.poolId,
      request,
      idempotencyKey: `reroute-${message.id}`,
      supersedes: { sessionId: message.sessionId, messageId: message.id, expect },
    });
    return { kind: 'moved', to: { sessionId: sent.sessionId, messageId: sent.id } };
  } catch (error) {
    if (error instanceof SupersededTakenError) return { kind: 'left' };
    // 404 (pool deleted), 409 (no member available, no members): the message stays where it is.
    if (error instanceof AppError && error.status < 500) return { kind: 'stuck', why: error.detail };
    throw error;
  }
}

/**
 * The pool messages still queued on `memberId`, re-routed, at most `limit` of them (a trigger inside an API
 * request must stay well within its time; the next send that moves a contact off the member takes the rest);
 * how many moved, were left, are stuck. `poolIds`: only messages of these pools (those the member is dead in).
 */
export async function rerouteMember(
  deps: Deps,
  tenantId: string,
  memberId: string,
  limit = 100,
  poolIds?: ReadonlySet<string>,
): Promise<Record<RerouteResult['kind'], number>> {
  const counts = { moved: 0, left: 0, stuck: 0 };
  const tenant = await deps.repos.tenants.get(tenantId);
  if (!tenant) return counts;
  const seen = new Set<string>();
  const wanted = (poolId: string | undefined): boolean =>
    poolId !== undefined && (poolIds === undefined || poolIds.has(poolId));
  for (;;) {
    const page = (await deps.repos.messages.listQueued(memberId, 100)).filter(
      (m) => wanted(m.poolId) && m.tenantId === tenantId && !seen.has(m.id),
    );
    if (page.length === 0) return counts;
    for (const message of page) {
      if (seen.size >= limit) return counts;
      seen.add(message.id);
      counts[(await rerouteMessage(deps, tenant, message, 'queued')).kind] += 1;
    }
  }
}
