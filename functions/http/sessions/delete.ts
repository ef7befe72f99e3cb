import { rerouteMember } from '../../../shared/services/pool-reroute.js';
import { deleteSession } from '../../../shared/services/sessions.js';
import type { AuthorizedHttpEvent } from '../auth-context.js';
import { httpRouteFor, noContent } from '../route.js';
import { controlPlane, eventBus } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { tenantWith } from '../tenant-request.js';

/**
 * Pool messages still queued on a deleted member, moved per call at most: each is one transaction, well within
 * the route's time for this many; a member with more keeps the rest (docs/pools.md, "Failover").
 */
const REROUTES_ON_DELETE = 500;

/**
 * `DELETE /v1/sessions/{sessionId}`: stops it and erases its credentials, messages, chats and the session. A
 * pool member's queued pool messages are first sent again through their pools (the session is stopped by then,
 * so dead to its pools), so deleting a number does not lose what the pool accepted.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:write'),
  path: SessionPathSchema,
  handler: async ({ path, auth }) => {
    const deps = controlPlane();
    await deleteSession(deps, auth.tenant.id, path.sessionId, {
      beforeErase: async () => {
        await rerouteMember(
          { ...deps, events: eventBus() },
          auth.tenant.id,
          path.sessionId,
          REROUTES_ON_DELETE,
        );
      },
    });
    return noContent();
  },
});
