/** WebSocket API routes, shared by CDK and the local WebSocket gateway. */

export interface WsRouteDefinition {
  readonly routeKey: '$connect' | '$disconnect' | '$default';
  readonly entry: string;
  readonly handler: string;
  /**
   * Two-way route: API Gateway sends the integration's `body` back to the client (CDK: a route response,
   * `returnResponse: true`). Without it, a handler must use PostToConnection to answer.
   */
  readonly returnResponse?: boolean;
}

export const WS_ROUTES: readonly WsRouteDefinition[] = [
  { routeKey: '$connect', entry: 'functions/ws/connect', handler: 'handler' },
  { routeKey: '$disconnect', entry: 'functions/ws/disconnect', handler: 'handler' },
  { routeKey: '$default', entry: 'functions/ws/default', handler: 'handler', returnResponse: true },
];

/** API Gateway WebSocket messages are at most 128 KB (sent in frames of at most 32 KB). */
export const MAX_WS_MESSAGE_BYTES = 128 * 1024;
