/**
 * WsPusher over the WebSocket API's management endpoint: PostToConnection to every live connection of the
 * session (or of the tenant's room: its tenant-wide connections and the session's), in parallel; a `GoneException` means the browser left without `$disconnect` reaching us (or it
 * raced), so the connection item is deleted.
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { AppConfig } from '../../config/app-config.js';
import type { WsConnection, WsConnectionRepository } from '../../ports/ws-connection-repository.js';
import type { WsFrame, WsPushResult, WsPusher, WsRoomPusher } from '../../ports/ws-pusher.js';

export interface ApiGatewayWsPusherDeps {
  readonly client: ApiGatewayManagementApiClient;
  readonly connections: WsConnectionRepository;
  /** Told about non-gone failures (throttling, payload too large), which are otherwise only counted. */
  readonly onError?: (connectionId: string, error: unknown) => void;
}

export class ApiGatewayWsPusher implements WsPusher, WsRoomPusher {
  private readonly encoder = new TextEncoder();

  constructor(private readonly deps: ApiGatewayWsPusherDeps) {}

  async pushToSession(sessionId: string, frame: WsFrame): Promise<WsPushResult> {
    return this.post(await this.deps.connections.listBySession(sessionId), frame);
  }

  forOneBatch(): WsRoomPusher {
    const listings = new Map<string, Promise<WsConnection[]>>();
    const connections = this.deps.connections;
    return new ApiGatewayWsPusher({
      ...this.deps,
      // Only the tenant listing is shared; writes (deleting a gone connection) go through as they are.
      connections: {
        put: (c) => connections.put(c),
        delete: (id) => connections.delete(id),
        listBySession: (sessionId, now) => connections.listBySession(sessionId, now),
        listByTenant: (tenantId, now) => {
          let listing = listings.get(tenantId);
          if (!listing) {
            listing = connections.listByTenant(tenantId, now);
            listings.set(tenantId, listing);
          }
          return listing;
        },
      },
    });
  }

  async pushToRoom(tenantId: string, sessionId: string, frame: WsFrame): Promise<WsPushResult> {
    const connections = await this.deps.connections.listByTenant(tenantId);
    return this.post(
      connections.filter((c) => isInRoom(c, sessionId)),
      frame,
    );
  }

  private async post(connections: readonly WsConnection[], frame: WsFrame): Promise<WsPushResult> {
    const data = this.encoder.encode(JSON.stringify(frame));
    const outcomes = await Promise.all(
      connections.map(async ({ connectionId }) => {
        try {
          await this.deps.client.send(
            new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }),
          );
          return 'sent' as const;
        } catch (error) {
          if (isGone(error)) {
            await this.deps.connections.delete(connectionId);
            return 'gone' as const;
          }
          this.deps.onError?.(connectionId, error);
          return 'failed' as const;
        }
      }),
    );
    const count = (o: (typeof outcomes)[number]) => outcomes.filter((x) => x === o).length;
    return { sent: count('sent'), gone: count('gone'), failed: count('failed') };
  }
}

/** A session's event is for the tenant-wide connections and for those bound to that very session. */
export function isInRoom(connection: Pick<WsConnection, 'sessionId'>, sessionId: string): boolean {
  return connection.sessionId === undefined || connection.sessionId === sessionId;
}

function isGone(error: unknown): boolean {
  return error instanceof GoneException || (error instanceof Error && error.name === 'GoneException');
}

/** The management client for the configured callback URL (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
export function createApiGatewayManagementClient(
  config: Pick<AppConfig, 'AWS_REGION' | 'APP_WS_CALLBACK_URL'>,
  credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string },
): ApiGatewayManagementApiClient {
  if (!config.APP_WS_CALLBACK_URL) throw new Error('APP_WS_CALLBACK_URL is not configured');
  return new ApiGatewayManagementApiClient({
    region: config.AWS_REGION,
    endpoint: config.APP_WS_CALLBACK_URL,
    ...(credentials ? { credentials } : {}),
  });
}
