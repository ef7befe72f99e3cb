/**
 * What the pool failover worker sends itself (docs/pools.md, "Failover worker"): look at a member again, after
 * an SQS delay (a `down` member's grace running out) or at once (the rest of a long re-route).
 */
import * as z from 'zod';
import { IdSchema } from '../domain/ids.js';

export const PoolRecheckJobSchema = z.strictObject({
  kind: z.literal('pool.recheck'),
  tenantId: IdSchema,
  sessionId: IdSchema,
});
export type PoolRecheckJob = z.infer<typeof PoolRecheckJobSchema>;

/** SQS's longest `DelaySeconds`: a longer grace is waited out in several hops. */
export const MAX_RECHECK_DELAY_SECONDS = 900;
