/**
 * WsConnectionCloser over the WebSocket API's management endpoint: DeleteConnection for every live connection
 * of the session (or of the tenant), then the connection item is deleted. A connection already gone (`GoneException`) counts as
 * closed; any other failure is thrown, so the caller's request fails loudly instead of leaving a socket open.
 */
import {
  DeleteConnectionCommand,
  GoneException,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { WsConnectionCloser } from '../../ports/ws-connection-closer.js';
import type { WsConnection, WsConnectionRepository } from '../../ports/ws-connection-repository.js';

export class ApiGatewayWsCloser implements WsConnectionCloser {
  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    private readonly connections: Pick<WsConnectionRepository, 'listBySession' | 'listByTenant' | 'delete'>,
  ) {}

  async closeSession(sessionId: string): Promise<number> {
    return this.close(await this.connections.listBySession(sessionId));
  }

  async closeTenant(tenantId: string): Promise<number> {
    return this.close(await this.connections.listByTenant(tenantId));
  }

  private async close(live: readonly WsConnection[]): Promise<number> {
    await Promise.all(
      live.map(async ({ connectionId }) => {
        try {
          await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        } catch (error) {
          const gone =
            error instanceof GoneException || (error instanceof Error && error.name === 'GoneException');
          if (!gone) throw error;
        }
        await this.connections.delete(connectionId);
      }),
    );
    return live.length;
  }
}
