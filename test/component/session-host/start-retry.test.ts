/**
 * A host whose start meets faults (its command queue refused twice, as by an SQS throttle that outlived the SDK's
 * retries) tries again and starts, instead of exiting for ECS to replace the task: it then claims and links a
 * session as any host does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostCommandQueue } from '../../../shared/ports/host-command-queue.js';
import { createSession, freshPhone, linkByQr, startHostWorld, type HostWorld } from './support.js';

describe('session host start', () => {
  let world: HostWorld;
  beforeAll(async () => {
    world = await startHostWorld();
  }, 60_000);
  afterAll(async () => world?.stop(), 60_000);

  it('starts through two failed command-queue creations and runs sessions', async () => {
    let creates = 0;
    const host = await world.startHost(
      {},
      {
        decorateAdapters: (adapters) => {
          const queue = Object.create(adapters.commandQueue) as HostCommandQueue;
          queue.create = async (hostId) => {
            creates++;
            if (creates <= 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
            return adapters.commandQueue.create(hostId);
          };
          return { ...adapters, commandQueue: queue };
        },
      },
    );
    expect(creates).toBe(3);
    expect(host.queueUrl).toMatch(/^http/);

    const session = await createSession(world.adapters);
    const linked = await linkByQr(world, session, freshPhone());
    expect(linked.status).toBe('connected');
    expect(linked.owner).toBe(host.hostId);
  }, 60_000);
});
