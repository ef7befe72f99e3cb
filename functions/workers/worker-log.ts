/** The container's logger (`functions/logger.ts`), as the queue workers know it. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { functionLogger } from '../logger.js';

export function workerLogger(): Logger {
  return functionLogger();
}
