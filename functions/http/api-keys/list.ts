import { listApiKeys } from '../../../shared/services/tenants.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { PageQuerySchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `GET /v1/api-keys`: the tenant's keys (prefix, name, scopes; never the key). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('keys:manage'),
  query: PageQuerySchema,
  handler: ({ query, auth }) => listApiKeys(controlPlane(), auth.tenant.id, query),
});
