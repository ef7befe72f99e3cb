import { PoolPathSchema, UpdatePoolRequestSchema } from '../../../shared/domain/pool.js';
import { updatePool } from '../../../shared/services/pools.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/** `PATCH /v1/pools/{poolId}`: name, the whole member list (kept members keep their warm-up), policy fields. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: PoolPathSchema,
  body: UpdatePoolRequestSchema,
  handler: ({ path, body, auth }) => updatePool(controlPlane(), auth.tenant.id, path.poolId, body),
});
