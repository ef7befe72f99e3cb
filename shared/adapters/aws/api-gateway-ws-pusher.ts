/**
 * WsPusher over the WebSocket API's management endpoint: PostToConnection to every live connection of the
 * session, in parallel; a `GoneException` means the browser left without `$disconnect` reaching us (or it
 * raced), so the connection item is deleted.
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { AppConfig } from '../../config/app-config.js';
import type { WsConnectionRepository } from '../../ports/ws-connection-repository.js';
import type { WsFrame, WsPushResult, WsPusher } from '../../ports/ws-pusher.js';

export interface ApiGatewayWsPusherDeps {
  readonly client: ApiGatewayManagementApiClient;
  readonly connections: WsConnectionRepository;
  /** Told about non-gone failures (throttling, payload too large), which are otherwise only counted. */
  readonly onError?: (connectionId: string, error: unknown) => void;
}

export class ApiGatewayWsPusher implements WsPusher {
  private readonly encoder = new TextEncoder();

  constructor(private readonly deps: ApiGatewayWsPusherDeps) {}

  async pushToSession(sessionId: string, frame: WsFrame): Promise<WsPushResult> {
    const connections = await this.deps.connections.listBySession(sessionId);
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
