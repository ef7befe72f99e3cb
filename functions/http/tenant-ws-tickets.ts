/**
 * `POST /v1/ws-tickets` (scope `sessions:read`): 201 `{ ticket, expiresAt, url }`, a single-use ticket valid 60 s
 * for a tenant-wide WebSocket: it receives the realtime event frames of every session of the caller's tenant
 * (docs/api.md, "WebSocket").
 */
import { issueTenantWsTicket, webSocketUrlFromCallback } from '../../shared/services/ws-tickets.js';
import type { AuthorizedHttpEvent } from './auth-context.js';
import { created, httpRouteFor } from './route.js';
import { tenantWith } from './tenant-request.js';
import { eventsRuntime } from '../webhooks-runtime.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  handler: async ({ auth }) => {
    const rt = eventsRuntime();
    const ticket = await issueTenantWsTicket(
      { tickets: rt.tickets, wsUrl: webSocketUrlFromCallback(rt.config.APP_WS_CALLBACK_URL) },
      auth.caller.tenantId,
    );
    return created(ticket);
  },
});
