import { revokeApiKey } from '../../../shared/services/tenants.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor, noContent } from '../route.js';
import { controlPlane } from '../runtime.js';
import { ApiKeyPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `DELETE /v1/api-keys/{keyId}`: revokes at once (authentication reads keys strongly consistently). */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('keys:manage'),
  path: ApiKeyPathSchema,
  handler: async ({ path, auth }) => {
    await revokeApiKey(controlPlane(), auth.tenant.id, path.keyId);
    return noContent();
  },
});
