import * as z from 'zod';
import { EventTypeSchema } from './events.js';
import { IdSchema, TimestampSchema } from './ids.js';

/** `failed` means retries are exhausted and the job sits in the DLQ; a replay sets it back to `pending`. */
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
});
export type Delivery = z.infer<typeof DeliverySchema>;
