import { PoolContactPathSchema } from '../../../shared/domain/pool.js';
import { getPoolContact } from '../../../shared/services/pools.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/pools/{poolId}/contacts/{contact}`: the contact's member and the members it left. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:read'),
  path: PoolContactPathSchema,
  handler: ({ path, auth }) => getPoolContact(controlPlane(), auth.tenant.id, path.poolId, path.contact),
});
