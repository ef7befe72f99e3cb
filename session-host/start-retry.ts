/**
 * The host's start steps (its command queue, its first heartbeat) tried again with a growing pause when they
 * fail. A start used to exit the process on the first fault that outlived the SDK's own retries (a throttled or
 * unreachable DynamoDB or SQS for a second): ECS then replaced the task, a minute or more of capacity lost for a
 * blip (seen in the chaos test). A fault that lasts past every attempt still ends the start, and the process.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { errorFields, type HostLogger } from './logger.js';

export interface StartRetryOptions {
  readonly log: HostLogger;
  /** Tries in all, the first included. */
  readonly attempts?: number;
  /** The pause after the first failure; doubled after each further one. */
  readonly firstPauseMs?: number;
}

/** Six tries over ~15 s (0.5 + 1 + 2 + 4 + 8 s of pauses): longer than a throttling burst, short for ECS. */
export const START_ATTEMPTS = 6;
export const START_FIRST_PAUSE_MS = 500;

export async function retryStartStep<T>(
  step: string,
  run: () => Promise<T>,
  options: StartRetryOptions,
): Promise<T> {
  const attempts = options.attempts ?? START_ATTEMPTS;
  let pauseMs = options.firstPauseMs ?? START_FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts) throw error;
      options.log.warn('host start step failed; trying again', {
        step,
        attempt,
        retryInMs: pauseMs,
        ...errorFields(error),
      });
      await pause(pauseMs);
      pauseMs *= 2;
    }
  }
}
