/**
 * `POST /v1/sessions/{sessionId}/ws-tickets` (scope `sessions:read`): 201 `{ ticket, expiresAt, url }`, a
 * single-use ticket valid 60 s for the pairing WebSocket (`url` is the WebSocket URL with `?ticket=`).
 */
import * as z from 'zod';
import { IdSchema } from '../../shared/domain/ids.js';
import { issueWsTicket, webSocketUrlFromCallback } from '../../shared/services/ws-tickets.js';
import type { AuthorizedHttpEvent } from './auth-context.js';
import { created, httpRouteFor } from './route.js';
import { tenantWith } from './tenant-request.js';
import { eventsRuntime } from '../webhooks-runtime.js';

export const handler = httpRouteFor<AuthorizedHttpEvent>()({
  authorize: tenantWith('sessions:read'),
  path: z.object({ sessionId: IdSchema }),
  handler: async ({ path, auth }) => {
    const { tenantId } = auth.caller;
    const rt = eventsRuntime();
    const ticket = await issueWsTicket(
      {
        sessions: rt.repositories.sessions,
        tickets: rt.tickets,
        wsUrl: webSocketUrlFromCallback(rt.config.APP_WS_CALLBACK_URL),
      },
      tenantId,
      path.sessionId,
    );
    return created(ticket);
  },
});
