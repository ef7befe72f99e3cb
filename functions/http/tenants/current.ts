import { getTenantWithUsage } from '../../../shared/services/tenants.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/**
 * `GET /v1/tenant`: the caller's own tenant, its limits and what it uses of them. Any valid key of the tenant
 * may ask (no scope): a client needs its limits to pace itself whatever it is allowed to do.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith(),
  handler: ({ auth }) => getTenantWithUsage(controlPlane(), auth.tenant.id),
});
