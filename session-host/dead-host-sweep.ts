/**
 * The sweeper that deletes the command queues of hosts whose heartbeat is gone (a task that was killed never
 * deletes its own queue). The heartbeats themselves are in the host registry (`shared/ports/host-registry.ts`).
 */
import type { HostCommandQueue } from '../shared/ports/host-command-queue.js';
import type { HostRegistry } from '../shared/ports/host-registry.js';

/** One sweep: delete the queue of every dead host, then its item. Returns the host ids swept. */
export async function sweepDeadHosts(
  registry: HostRegistry,
  queues: HostCommandQueue,
  now: number,
): Promise<string[]> {
  const swept: string[] = [];
  for (const host of await registry.listDead(now)) {
    await queues.delete(host.queueUrl);
    if (await registry.forgetIfDead(host.hostId, now)) swept.push(host.hostId);
  }
  return swept;
}
