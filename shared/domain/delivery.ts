import * as z from 'zod';
import { EventTypeSchema } from './events.js';
import { IdSchema, TimestampSchema } from './ids.js';

/** `failed` means the attempts are exhausted (or the endpoint is gone); a replay sets it back to `pending`. */
export const DeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** One event delivered to one webhook subscription; its id is the `webhook-id` header, stable across retries. */
export const DeliverySchema = z.object({
  id: IdSchema,
  webhookId: IdSchema,
  tenantId: IdSchema,
  eventId: IdSchema,
  eventType: EventTypeSchema,
  status: DeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  lastAttemptAt: TimestampSchema.optional(),
  /** HTTP status of the last attempt; absent when no response came (DNS, timeout, refused address). */
  lastStatusCode: z.number().int().min(100).max(599).optional(),
  /** Short reason for the last failure, never the receiver's full response body. */
  lastError: z.string().max(500).optional(),
  nextAttemptAt: TimestampSchema.optional(),
  createdAt: TimestampSchema,
  /**
   * `attempts` when a tenant last replayed the delivery: the attempts of the current round count from there, so a
   * replay gets the whole retry budget again while `attempts` stays the delivery's history. Internal (not shown).
   */
  replayedAtAttempts: z.number().int().nonnegative().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/**
 * The number of the next attempt in the delivery's current round (1 for the first). Counted from the attempts the
 * delivery recorded, not from the queue's receive count: a receive that ended before the POST (a DynamoDB fault,
 * a crash, a lost answer) is no attempt, and must not use up the receiver's retries.
 */
export function nextAttemptNumber(delivery: Pick<Delivery, 'attempts' | 'replayedAtAttempts'>): number {
  return Math.max(0, delivery.attempts - (delivery.replayedAtAttempts ?? 0)) + 1;
}
