/** The per-endpoint cap: a saturated endpoint queues its own requests and nobody else's. */
import { describe, expect, it } from 'vitest';
import {
  EndpointConcurrency,
  endpointKey,
} from '../../../../../shared/services/webhooks/endpoint-concurrency.js';

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('EndpointConcurrency', () => {
  it('runs at most `limit` tasks per endpoint while another endpoint goes ahead', async () => {
    const caps = new EndpointConcurrency(2);
    const slow = gate();
    const started: number[] = [];
    const slowTasks = [0, 1, 2, 3].map((n) =>
      caps.run('https://slow.example', async () => {
        started.push(n);
        await slow.opened;
        return n;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(caps.active('https://slow.example')).toBe(2);

    // The fast endpoint is not behind the slow one's queue.
    expect(await caps.run('https://fast.example', async () => 'fast')).toBe('fast');
    expect(started).toEqual([0, 1]);

    slow.open();
    expect(await Promise.all(slowTasks)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(caps.active('https://slow.example')).toBe(0);
  });

  it('frees the slot of a task that fails', async () => {
    const caps = new EndpointConcurrency(1);
    await expect(caps.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await caps.run('a', async () => 'next')).toBe('next');
  });

  it('keys an endpoint by origin', () => {
    expect(endpointKey('https://Hooks.example.com:443/a?x=1')).toBe('https://hooks.example.com');
    expect(endpointKey('http://127.0.0.1:8080/b')).toBe('http://127.0.0.1:8080');
  });
});
