import type { Pool } from '../../../shared/domain/pool.js';
import { PoolPathSchema } from '../../../shared/domain/pool.js';
import { SendMessageRequestSchema } from '../../../shared/domain/message.js';
import { parseIdempotencyKey } from '../../../shared/services/idempotency.js';
import { sendToPool } from '../../../shared/services/pool-send.js';
import { rerouteMember } from '../../../shared/services/pool-reroute.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { getHeader } from '../middleware/json-body.js';
import { accepted, httpRouteFor } from '../route.js';
import { controlPlane, eventBus } from '../runtime.js';
import { authorizeTenant, type TenantRequest } from '../tenant-request.js';

/**
 * The tenant guard, with the pool read started alongside it (as a session send starts its session read), so the
 * pool costs no round trip of its own: docs/pools.md, "Send path".
 */
async function authorizePoolSend(
  event: AuthorizedHttpEvent,
): Promise<TenantRequest & { readonly poolRead?: Promise<Pool | null> }> {
  const caller = requireTenant(event, 'messages:send');
  const path = PoolPathSchema.safeParse(event.pathParameters ?? {});
  const poolRead = path.success
    ? controlPlane().repos.pools.get(caller.tenantId, path.data.poolId)
    : undefined;
  poolRead?.catch(() => undefined);
  return { ...(await authorizeTenant(event, 'messages:send')), ...(poolRead ? { poolRead } : {}) };
}

/**
 * `POST /v1/pools/{poolId}/messages`: 202 `{ id, status: "queued", poolId, sessionId }`, the member chosen for the
 * contact. `Idempotency-Key` is scoped to the pool: a retry answers the same message on the same member.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: authorizePoolSend,
  path: PoolPathSchema,
  body: SendMessageRequestSchema,
  handler: async ({ path, body, event, auth }) => {
    const idempotencyKey = parseIdempotencyKey(getHeader(event, 'idempotency-key'));
    const deps = { ...controlPlane(), events: eventBus() };
    const { movedFrom, ...result } = await sendToPool(deps, {
      tenant: auth.tenant,
      poolId: path.poolId,
      request: body,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      ...(auth.poolRead === undefined ? {} : { poolRead: auth.poolRead }),
    });
    // The first send that finds a member dead also moves what is still queued on it (docs/pools.md, "Failover").
    if (movedFrom !== undefined) await rerouteMember(deps, auth.tenant.id, movedFrom);
    return accepted(result);
  },
});
