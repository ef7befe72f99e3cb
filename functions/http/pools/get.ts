import { PoolPathSchema } from '../../../shared/domain/pool.js';
import { getPool } from '../../../shared/services/pools.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/pools/{poolId}`: the pool, each member's health and stats, and the pool's totals. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  path: PoolPathSchema,
  handler: ({ path, auth }) => getPool(controlPlane(), auth.tenant.id, path.poolId),
});
