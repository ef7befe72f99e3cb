/** The pool failover worker's own queue, as the worker sends itself re-checks (`PoolRecheckJob`). */
import type { PoolRecheckJob } from '../contracts/pool-failover-job.js';

export interface PoolRecheckQueue {
  /** Delivers `job` to the worker after `delaySeconds` (0..900). */
  schedule(job: PoolRecheckJob, delaySeconds: number): Promise<void>;
}
