/** The webhook delivery queue, as the fan-out worker, the replay route and the delivery worker use it. */
import type { DeliveryJob } from '../contracts/webhook-delivery-job.js';

/** SQS's visibility timeout maximum (12 hours): the longest a retry can be put off. */
export const MAX_VISIBILITY_SECONDS = 43_200;

export interface DeliveryJobQueue {
  /** Sends every job or throws (a partial batch failure is retried, then reported). */
  send(jobs: readonly DeliveryJob[]): Promise<void>;
  /** Hides a received job for `seconds` (0..43200): the backoff before its next attempt. */
  retryAfter(receiptHandle: string, seconds: number): Promise<void>;
}
