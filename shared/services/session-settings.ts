/**
 * A session's settings (`PATCH /v1/sessions/{id}`): today the call policy, `rejectCalls`. Stored on the session
 * item; the owner host reads it when a call rings, so a change applies to the next call without a doorbell.
 */
import { toSessionView, type SessionView, type UpdateSessionRequest } from '../domain/session.js';
import type { ControlPlaneDeps } from './deps.js';

export async function updateSessionSettings(
  deps: Pick<ControlPlaneDeps, 'repos'>,
  tenantId: string,
  sessionId: string,
  request: UpdateSessionRequest,
): Promise<SessionView> {
  // Another tenant's session is a NotFoundError from the tenant-scoped write.
  const session = await deps.repos.sessions.setRejectCalls(tenantId, sessionId, request.rejectCalls);
  return toSessionView(session);
}
