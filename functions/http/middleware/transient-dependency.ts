/**
 * Whether an error thrown by an AWS SDK call is the service failing for now (throttled, a 5xx, no answer at all)
 * rather than a bug in the request: the SDK already retried it, so the client is told to retry later (503) instead
 * of being answered as if the platform had a bug (500). Client faults (a condition refused, a validation error)
 * stay bugs when they reach the edge: the use cases map the expected ones themselves.
 */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

const THROTTLING =
  /^(ThrottlingException|ProvisionedThroughputExceededException|RequestLimitExceeded|TooManyRequestsException|SlowDown|RequestThrottled)$/;

export function isTransientDependencyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return false;
  const e = error as SdkErrorShape;
  if (e.$fault === 'server' || e.$retryable) return true;
  if (typeof e.name === 'string' && THROTTLING.test(e.name)) return true;
  // No HTTP status: the SDK got no answer (a reset connection, a timeout).
  return e.$metadata?.httpStatusCode === undefined;
}
