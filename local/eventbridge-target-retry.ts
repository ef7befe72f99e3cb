/**
 * How the local EventBridge keeps trying to write an event to a rule's target, as AWS does by default: a target
 * that answers with a retryable error (throttling, a 5xx, a broken connection) is tried again with exponential
 * backoff and jitter until the event is `maxEventAgeMs` old or `maxAttempts` were made (AWS's defaults: 24 h and
 * 185 attempts); an error that cannot get better by waiting (the queue does not exist, access denied: a 4xx) drops
 * the event at once, as AWS does when no dead-letter queue is set. Before this the local bus dropped an event
 * after the SQS client's own three tries, which made it less durable than the bus it stands in for.
 */

export interface TargetRetryPolicy {
  /** Delay before the second attempt; each later one doubles it, up to `maxDelayMs`, then a random 50-100 %. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly maxEventAgeMs: number;
}

/** AWS's documented defaults for attempts and age; the backoff's shape is not published, this one is ours. */
export const AWS_TARGET_RETRY: TargetRetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxAttempts: 185,
  maxEventAgeMs: 24 * 60 * 60_000,
};

export type TargetAttemptResult =
  | { readonly delivered: true; readonly attempts: number }
  | {
      readonly delivered: false;
      readonly attempts: number;
      readonly reason: string;
      readonly error: unknown;
    };

interface SdkErrorShape {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** A 4xx that is not throttling is the target's standing answer; anything else (5xx, no answer) may pass. */
export function isRetryableTargetError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const e = error as SdkErrorShape;
  if (e.$retryable) return true;
  if (/throttl|RequestThrottled|TooManyRequests/i.test(e.name ?? '')) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

export function retryDelayMs(
  policy: TargetRetryPolicy,
  failedAttempts: number,
  random: () => number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempts - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}

/**
 * Calls `write` until it succeeds or the policy gives up. `stopped` ends the waiting early (the bus is shutting
 * down): the event is then reported as not delivered.
 */
export async function writeWithRetry(
  write: () => Promise<unknown>,
  policy: TargetRetryPolicy,
  stopped: AbortSignal,
  random: () => number = Math.random,
  now: () => number = Date.now,
): Promise<TargetAttemptResult> {
  const started = now();
  for (let attempts = 1; ; attempts++) {
    try {
      await write();
      return { delivered: true, attempts };
    } catch (error) {
      const giveUp = (reason: string): TargetAttemptResult => ({ delivered: false, attempts, reason, error });
      if (!isRetryableTargetError(error)) return giveUp('target refused the event');
      if (attempts >= policy.maxAttempts) return giveUp('retry attempts exhausted');
      const delay = retryDelayMs(policy, attempts, random);
      if (now() + delay - started > policy.maxEventAgeMs) return giveUp('event older than its maximum age');
      if (!(await sleep(delay, stopped))) return giveUp('event bus stopped');
    }
  }
}

/** Resolves true after `ms`, or false at once when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
