import { CreateTenantRequestSchema } from '../../../shared/domain/tenant.js';
import { createTenant } from '../../../shared/services/tenants.js';
import { requireOperator, type AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';

/** `POST /v1/tenants` (operator key): the tenant and its first API key, shown once. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: requireOperator,
  body: CreateTenantRequestSchema,
  handler: async ({ body }) => {
    const result = await createTenant(controlPlane(), body);
    return created(result, `/v1/tenants/${result.tenant.id}`);
  },
});
