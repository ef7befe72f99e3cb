import { CreateGroupRequestSchema } from '../../../shared/services/group-views.js';
import { createGroup } from '../../../shared/services/groups.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { created, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/** `POST /v1/sessions/{sessionId}/groups` `{ subject, participants }`: 201 with the group WhatsApp made. */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('messages:send'),
  path: SessionPathSchema,
  body: CreateGroupRequestSchema,
  handler: async ({ path, body, auth }) => {
    const group = await createGroup(controlPlane(), auth.tenant.id, path.sessionId, body);
    return created(group, `/v1/sessions/${path.sessionId}/groups/${group.id}`);
  },
});
