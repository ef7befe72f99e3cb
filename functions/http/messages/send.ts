import type { Session } from '../../../shared/domain/session.js';
import { SendMessageRequestSchema } from '../../../shared/domain/message.js';
import { parseIdempotencyKey } from '../../../shared/services/idempotency.js';
import { sendMessage } from '../../../shared/services/messages.js';
import { requireTenant, type AuthorizedHttpEvent } from '../auth-context.js';
import { getHeader } from '../middleware/json-body.js';
import { accepted, httpRouteFor } from '../route.js';
import { controlPlane } from '../runtime.js';
import { SessionPathSchema } from '../schemas.js';
import { authorizeTenant, type TenantRequest } from '../tenant-request.js';

/**
 * The tenant guard, with the session read started alongside its rate-limit write (it only reads, and only for
 * a caller whose key may send), so a send waits for one of the two, not both: `docs/api.md`, "Send path".
 */
async function authorizeSend(
  event: AuthorizedHttpEvent,
): Promise<TenantRequest & { readonly sessionRead?: Promise<Session | null> }> {
  const caller = requireTenant(event, 'messages:send');
  const path = SessionPathSchema.safeParse(event.pathParameters ?? {});
  const sessionRead = path.success
    ? controlPlane().repos.sessions.get(caller.tenantId, path.data.sessionId)
    : undefined;
  // Whatever the guard decides, a failed read must not become an unhandled rejection; `sendMessage` sees it.
  sessionRead?.catch(() => undefined);
  return { ...(await authorizeTenant(event, 'messages:send')), ...(sessionRead ? { sessionRead } : {}) };
}

/**
 * `POST /v1/sessions/{sessionId}/messages`: 202 `{ id, status: "queued" }`. `Idempotency-Key` makes retries
 * safe: the same key and body answer the same id, another body under the key is a 409.
 */
export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: authorizeSend,
  path: SessionPathSchema,
  body: SendMessageRequestSchema,
  handler: async ({ path, body, event, auth }) => {
    const idempotencyKey = parseIdempotencyKey(getHeader(event, 'idempotency-key'));
    const result = await sendMessage(controlPlane(), {
      tenant: auth.tenant,
      sessionId: path.sessionId,
      request: body,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      ...(auth.sessionRead === undefined ? {} : { sessionRead: auth.sessionRead }),
    });
    return accepted(result);
  },
});
