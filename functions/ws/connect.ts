/**
 * `$connect`: a browser opens `wss://...?ticket=...`; the ticket is redeemed (single use) and the connection
 * stored for the ticket's session. No ticket, or a ticket that does not redeem, is a 401 and API Gateway
 * refuses the upgrade.
 *
 * Until the browser pairing issue wires a `WsTicketVerifier` in, `handler` has none and refuses every
 * connection: safer than accepting unauthenticated browsers onto a session's QR stream.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import {
  WS_CONNECTION_MAX_SECONDS,
  type WsConnectionRepository,
} from '../../shared/ports/ws-connection-repository.js';
import type { WsTicketVerifier } from '../../shared/ports/ws-ticket-verifier.js';
import { logWs, wsConnectionRepository } from './runtime.js';

export interface ConnectDeps {
  readonly verifier: WsTicketVerifier | undefined;
  readonly connections: () => WsConnectionRepository;
}

const ConnectEventSchema = z.object({
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  requestContext: z.object({ connectionId: z.string().min(1), connectedAt: z.number().int().positive() }),
});

const refused = { statusCode: 401 } as const;

export function createConnectHandler(
  deps: ConnectDeps,
): (event: unknown) => Promise<APIGatewayProxyResultV2> {
  return async (raw) => {
    const event = ConnectEventSchema.safeParse(raw);
    if (!event.success) return { statusCode: 400 };
    const ticket = event.data.queryStringParameters?.ticket;
    if (!ticket) return refused;
    if (!deps.verifier) {
      logWs('warn', 'WebSocket connection refused: no ticket verifier is configured yet');
      return refused;
    }
    const grant = await deps.verifier.redeem(ticket);
    if (!grant) return refused;
    const { connectionId, connectedAt } = event.data.requestContext;
    await deps.connections().put({
      connectionId,
      sessionId: grant.sessionId,
      tenantId: grant.tenantId,
      connectedAt: new Date(connectedAt).toISOString(),
      expiresAt: Math.floor(connectedAt / 1000) + WS_CONNECTION_MAX_SECONDS,
    });
    return { statusCode: 200 };
  };
}

export const handler = createConnectHandler({ verifier: undefined, connections: wsConnectionRepository });
