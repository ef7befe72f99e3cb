import { listPools } from '../../../shared/services/pools.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { PageQuerySchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/pools`: the tenant's pools (members without health: `GET /v1/pools/{poolId}` has it). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  query: PageQuerySchema,
  handler: ({ query, auth }) => listPools(controlPlane(), auth.tenant.id, query),
});
