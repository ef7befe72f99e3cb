import { PoolPathSchema } from '../../../shared/domain/pool.js';
import { deletePool } from '../../../shared/services/pools.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor, noContent } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/** `DELETE /v1/pools/{poolId}`: the pool and its assignments; the sessions and their messages stay. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: PoolPathSchema,
  handler: async ({ path, auth }) => {
    await deletePool(controlPlane(), auth.tenant.id, path.poolId);
    return noContent();
  },
});
