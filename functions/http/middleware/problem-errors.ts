import { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, InternalError, PROBLEM_CONTENT_TYPE, toAppError } from '../../../shared/domain/index.js';
import { ServiceUnavailableError } from '../../../shared/services/errors.js';
import { isTransientDependencyError } from './transient-dependency.js';

export type ProblemLogger = Pick<Logger, 'error' | 'info'> & Partial<Pick<Logger, 'warn'>>;

export interface ProblemErrorsOptions {
  logger?: ProblemLogger;
}

let defaultLogger: Logger | undefined;

// Created on first use so importing a handler module (tests, the local gateway) does not need Lambda's env.
function getDefaultLogger(): Logger {
  defaultLogger ??= new Logger({ serviceName: process.env.APP_SERVICE_NAME ?? 'wa-platform' });
  return defaultLogger;
}

/**
 * Turns anything thrown in the handler or an earlier middleware into an RFC 9457 response. AppErrors keep their
 * status and detail; a ZodError becomes a 400 naming fields; anything else is a bug: logged in full, answered
 * with a fixed 500 text so stack traces, SDK messages and secrets never reach the client.
 */
export function problemErrors(
  options: ProblemErrorsOptions = {},
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    name: 'problemErrors',
    onError: (request) => {
      // Another middleware already answered; do not overwrite its response.
      if (request.response !== undefined && request.response !== null) return;
      const logger = options.logger ?? getDefaultLogger();
      // An AWS service still failing after the SDK's retries is a 503 the client may retry, not a bug (500).
      const transient = isTransientDependencyError(request.error);
      const error = transient
        ? new ServiceUnavailableError('A service the platform needs is failing; retry shortly', {
            cause: request.error,
          })
        : toAppError(request.error);
      const requestId = request.event.requestContext?.requestId;
      const route = request.event.routeKey;
      if (
        error.status >= 500 &&
        (transient || (request.error instanceof AppError && !(request.error instanceof InternalError)))
      ) {
        // A deliberate 5xx (a host that did not answer, a dependency down, an AWS service failing for now): worth
        // a warning, not a bug report.
        (logger.warn ?? logger.error).call(logger, 'request failed', {
          route,
          requestId,
          status: error.status,
          type: error.type,
          detail: error.detail,
          ...(error.cause === undefined ? {} : { cause: describeCause(error.cause) }),
        });
      } else if (error.status >= 500) {
        logger.error('unhandled error', { route, requestId, error: request.error });
      } else {
        logger.info('request refused', { route, requestId, status: error.status, type: error.type });
      }
      // requestId lets support find the log line for a 500 without the client seeing its content.
      const problem = { ...error.toProblem(), ...(requestId === undefined ? {} : { requestId }) };
      request.response = {
        statusCode: problem.status,
        headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...error.headers() },
        body: JSON.stringify(problem),
      };
    },
  };
}

/** The SDK error's name and message (an AWS error code and its text), never its request or response. */
function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
