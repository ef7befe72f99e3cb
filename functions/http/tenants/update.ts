import { UpdateTenantRequestSchema } from '../../../shared/domain/tenant.js';
import { updateTenant } from '../../../shared/services/tenants.js';
import { requireOperator, type AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { TenantPathSchema } from './path.js';

/** `PATCH /v1/tenants/{tenantId}` (operator key): suspend or reactivate, change limits; answers the tenant. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: requireOperator,
  path: TenantPathSchema,
  body: UpdateTenantRequestSchema,
  handler: async ({ path, body }) => updateTenant(controlPlane(), path.tenantId, body),
});
