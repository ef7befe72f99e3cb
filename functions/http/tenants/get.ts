import { getTenantWithUsage } from '../../../shared/services/tenants.js';
import { requireOperator, type AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { TenantPathSchema } from './path.js';

/** `GET /v1/tenants/{tenantId}` (operator key): the tenant with its status, limits and usage. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: requireOperator,
  path: TenantPathSchema,
  handler: async ({ path }) => getTenantWithUsage(controlPlane(), path.tenantId),
});
