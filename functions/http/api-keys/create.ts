import { CreateApiKeyRequestSchema } from '../../../shared/domain/api-key.js';
import { createTenantApiKey } from '../../../shared/services/tenants.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/api-keys`: a new key for the caller's tenant; the key is in this answer only. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('keys:manage'),
  body: CreateApiKeyRequestSchema,
  handler: async ({ body, auth }) => {
    const key = await createTenantApiKey(controlPlane(), auth.tenant.id, body, auth.caller.scopes);
    return created(key, `/v1/api-keys/${key.id}`);
  },
});
