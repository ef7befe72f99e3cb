/**
 * A session host as the `hosts` table knows it (one item per host task): its command queue URL, capacity, load,
 * and `heartbeatUntil` (epoch ms), which says whether it is alive. `expiresAt` (epoch s, the table's TTL) only
 * removes long-dead items, a day later, so DynamoDB's TTL never deletes an item before the sweeper saw it and
 * deleted the host's queue.
 */
import * as z from 'zod';

export const HostItemSchema = z.object({
  hostId: z.string().min(1),
  queueUrl: z.string().min(1),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  heartbeatUntil: z.number().int(),
  capacity: z.number().int(),
  sessions: z.number().int(),
  expiresAt: z.number().int(),
});
export type HostItem = z.infer<typeof HostItemSchema>;
