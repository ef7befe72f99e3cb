/**
 * The one Powertools logger of a Lambda container, shared by HTTP routes, WebSocket routes and queue workers, so
 * every function writes the same structured JSON (service name, level, timestamp, Lambda context). Created on
 * first use: importing a handler needs no environment.
 */
import { Logger } from '@aws-lambda-powertools/logger';

let logger: Logger | undefined;

export function functionLogger(): Logger {
  logger ??= new Logger({ serviceName: process.env.APP_SERVICE_NAME ?? 'wa-platform' });
  return logger;
}
