/**
 * Dependencies of the WebSocket handlers, built once per Lambda container from the one root's configuration and
 * clients (`functions/runtime.ts`), only when a handler first needs them (a refused `$connect` never touches DynamoDB or reads the config).
 */
import { DynamoSessionRepository } from '../../shared/adapters/dynamodb/session-repository.js';
import { DynamoTenantRepository } from '../../shared/adapters/dynamodb/tenant-repository.js';
import { DynamoWsConnectionRepository } from '../../shared/adapters/dynamodb/ws-connection-repository.js';
import { DynamoWsTicketStore } from '../../shared/adapters/dynamodb/ws-ticket-store.js';
import type { WsConnectionRepository } from '../../shared/ports/ws-connection-repository.js';
import type { WsTicketVerifier } from '../../shared/ports/ws-ticket-verifier.js';
import { appConfig, awsClients, onRuntimeReset } from '../runtime.js';
import type { WsAdmission } from './connect.js';

let connections: WsConnectionRepository | undefined;
let tickets: WsTicketVerifier | undefined;
let admission: WsAdmission | undefined;

/** The DynamoDB ticket store, as `$connect` sees it: redeem only. */
export function wsTicketVerifier(): WsTicketVerifier {
  if (!tickets) {
    tickets = new DynamoWsTicketStore({ dynamo: awsClients().dynamo, config: appConfig() });
  }
  return tickets;
}

/**
 * `$connect`'s second check: the ticket's tenant is active and its session (for a session ticket) still exists
 * and is the tenant's.
 */
export function wsAdmission(): WsAdmission {
  if (!admission) {
    const ctx = { dynamo: awsClients().dynamo, config: appConfig() };
    const tenants = new DynamoTenantRepository(ctx);
    const sessions = new DynamoSessionRepository(ctx);
    admission = async ({ tenantId, sessionId }) => {
      const [tenant, session] = await Promise.all([
        tenants.get(tenantId),
        sessionId === undefined ? undefined : sessions.get(tenantId, sessionId),
      ]);
      // A tenant-wide ticket (no session) needs the tenant only.
      return tenant?.status === 'active' && session !== null;
    };
  }
  return admission;
}

export function wsConnectionRepository(): WsConnectionRepository {
  if (!connections) {
    connections = new DynamoWsConnectionRepository({ dynamo: awsClients().dynamo, config: appConfig() });
  }
  return connections;
}

onRuntimeReset(() => {
  connections = undefined;
  tickets = undefined;
  admission = undefined;
});
