/**
 * `$connect`: a browser opens `wss://...?ticket=...`; the ticket is redeemed (single use) and the connection
 * stored for the ticket's session, or tenant-wide (no `sessionId`). No ticket, or a ticket that does not redeem,
 * is a 401 and API Gateway refuses the upgrade.
 *
 * Tickets come from `POST /v1/sessions/{id}/ws-tickets` (bound to a tenant and a session) or `POST /v1/ws-tickets`
 * (bound to a tenant only): redeeming is a conditional delete (`DynamoWsTicketStore`), so a reused, expired,
 * unknown or malformed ticket gets the same 401, and two browsers racing with one ticket get one connection. A
 * handler built without a verifier refuses everything (fail closed).
 *
 * A redeemed ticket is admitted only if its tenant is still active and its session still exists: a ticket lives
 * a minute, and an operator who suspends a tenant (or a tenant who deletes the session) in that minute must not
 * see a browser connect afterwards. Both are strongly consistent reads of one item each (a tenant-wide ticket
 * needs the tenant only).
 *
 * A tenant holds at most `APP_WS_MAX_CONNECTIONS_PER_TENANT` connections (both kinds): one more is refused with
 * 429, after the ticket was redeemed, so a refused ticket is spent like a used one (no retry loop on one ticket).
 * The count is read, then the connection written: two browsers connecting in the same instant may both pass at
 * the cap, a soft overshoot of one or two that the next connection's count sees.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import {
  WS_CONNECTION_MAX_SECONDS,
  type WsConnectionRepository,
} from '../../shared/ports/ws-connection-repository.js';
import type { WsTicketGrant, WsTicketVerifier } from '../../shared/ports/ws-ticket-verifier.js';
import { functionLogger } from '../logger.js';
import { appConfig } from '../runtime.js';
import { wsAdmission, wsConnectionRepository, wsTicketVerifier } from './runtime.js';

/** Whether what a redeemed ticket grants still holds: tenant active, session there and the tenant's. */
export type WsAdmission = (grant: WsTicketGrant) => Promise<boolean>;

export interface ConnectDeps {
  readonly verifier: WsTicketVerifier | undefined;
  readonly admission: WsAdmission;
  readonly connections: () => WsConnectionRepository;
  /** Connections a tenant may hold at once (`APP_WS_MAX_CONNECTIONS_PER_TENANT`). */
  readonly maxConnectionsPerTenant: () => number;
}

const ConnectEventSchema = z.object({
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  requestContext: z.object({ connectionId: z.string().min(1), connectedAt: z.number().int().positive() }),
});

const refused = { statusCode: 401 } as const;
const overCap = { statusCode: 429 } as const;

export function createConnectHandler(
  deps: ConnectDeps,
): (event: unknown) => Promise<APIGatewayProxyResultV2> {
  return async (raw) => {
    const event = ConnectEventSchema.safeParse(raw);
    if (!event.success) return { statusCode: 400 };
    const ticket = event.data.queryStringParameters?.ticket;
    if (!ticket) return refused;
    if (!deps.verifier) {
      functionLogger().warn('WebSocket connection refused: no ticket verifier is configured yet');
      return refused;
    }
    const grant = await deps.verifier.redeem(ticket);
    if (!grant) return refused;
    if (!(await deps.admission(grant))) {
      functionLogger().info('WebSocket connection refused: tenant suspended or session gone', {
        tenantId: grant.tenantId,
        sessionId: grant.sessionId,
      });
      return refused;
    }
    const open = await deps.connections().listByTenant(grant.tenantId);
    const cap = deps.maxConnectionsPerTenant();
    if (open.length >= cap) {
      functionLogger().info('WebSocket connection refused: tenant at its connection cap', {
        tenantId: grant.tenantId,
        cap,
      });
      return overCap;
    }
    const { connectionId, connectedAt } = event.data.requestContext;
    await deps.connections().put({
      connectionId,
      ...(grant.sessionId === undefined ? {} : { sessionId: grant.sessionId }),
      tenantId: grant.tenantId,
      connectedAt: new Date(connectedAt).toISOString(),
      expiresAt: Math.floor(connectedAt / 1000) + WS_CONNECTION_MAX_SECONDS,
    });
    return { statusCode: 200 };
  };
}

// Built lazily: importing the module (local gateway, tests) must not read the environment.
const lazyVerifier: WsTicketVerifier = { redeem: (ticket) => wsTicketVerifier().redeem(ticket) };

export const handler = createConnectHandler({
  verifier: lazyVerifier,
  admission: (grant) => wsAdmission()(grant),
  connections: wsConnectionRepository,
  maxConnectionsPerTenant: () => appConfig().APP_WS_MAX_CONNECTIONS_PER_TENANT,
});
