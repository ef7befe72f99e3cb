import { describe, expect, it } from 'vitest';
import { ConnectPacer } from '../../../session-host/connect-pacer.js';

describe('ConnectPacer', () => {
  it('lets `limit` handshakes run and queues the rest in order', async () => {
    const pacer = new ConnectPacer(2);
    const a = await pacer.acquire();
    const b = await pacer.acquire();
    const order: string[] = [];
    const c = pacer.acquire().then((release) => (order.push('c'), release));
    const d = pacer.acquire().then((release) => (order.push('d'), release));
    expect(pacer.waiting).toBe(2);
    a();
    a(); // idempotent: does not free a second slot
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(pacer.waiting).toBe(1);
    b();
    (await d)();
    releaseC();
    expect(order).toEqual(['c', 'd']);
    // All slots free again.
    const e = await pacer.acquire();
    const f = await pacer.acquire();
    expect(pacer.waiting).toBe(0);
    e();
    f();
  });

  it('an aborted wait leaves the queue', async () => {
    const pacer = new ConnectPacer(1);
    const held = await pacer.acquire();
    const abort = new AbortController();
    const waiting = pacer.acquire(abort.signal);
    abort.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(pacer.waiting).toBe(0);
    held();
    (await pacer.acquire())();
  });
});
