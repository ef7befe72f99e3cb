import { CreatePoolRequestSchema } from '../../../shared/domain/pool.js';
import { createPool } from '../../../shared/services/pools.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/pools`: 201 with the pool; a member of another tenant is a 404, the same session twice a 409. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  body: CreatePoolRequestSchema,
  handler: async ({ body, auth }) => {
    const pool = await createPool(controlPlane(), auth.tenant.id, body);
    return created(pool, `/v1/pools/${pool.id}`);
  },
});
