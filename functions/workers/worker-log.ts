/** One Powertools logger per worker container, created on first use (importing a handler needs no env). */
import { Logger } from '@aws-lambda-powertools/logger';

let logger: Logger | undefined;

export function workerLogger(): Logger {
  logger ??= new Logger({ serviceName: process.env.APP_SERVICE_NAME ?? 'wa-platform' });
  return logger;
}
