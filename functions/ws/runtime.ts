/**
 * Dependencies of the WebSocket handlers, built once per Lambda container from configuration and only when a
 * handler first needs them (a refused `$connect` never touches DynamoDB or reads the config).
 */
import { createAwsClients } from '../../shared/adapters/aws/clients.js';
import { DynamoWsConnectionRepository } from '../../shared/adapters/dynamodb/ws-connection-repository.js';
import { loadAppConfig } from '../../shared/config/app-config.js';
import type { WsConnectionRepository } from '../../shared/ports/ws-connection-repository.js';

let connections: WsConnectionRepository | undefined;

export function wsConnectionRepository(): WsConnectionRepository {
  if (!connections) {
    const config = loadAppConfig();
    connections = new DynamoWsConnectionRepository({ dynamo: createAwsClients(config).dynamo, config });
  }
  return connections;
}

/** Structured log line for CloudWatch (and the local cloud's output). */
export function logWs(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  const line = JSON.stringify({ level, message, ...fields, time: new Date().toISOString() });
  if (level === 'error') console.error(line);
  else console.log(line);
}
