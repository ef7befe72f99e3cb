import { describe, expect, it } from 'vitest';
import { SendScheduler, type LaneWork } from '../../../../session-host/messaging/scheduler.js';
import type { SendOutcome } from '../../../../session-host/messaging/send.js';

const options = {
  concurrency: 1,
  minGapMs: 0,
  jitterMs: 0,
  maxAttempts: 3,
  retryBaseMs: 0,
  onError: () => undefined,
};

function recordingWork(outcome: (id: string, attempt: number) => SendOutcome | Error) {
  const calls: string[] = [];
  const givenUp: string[] = [];
  const attempts = new Map<string, number>();
  const work: LaneWork = {
    send: async (id) => {
      calls.push(id);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const result = outcome(id, n);
      if (result instanceof Error) throw result;
      return result;
    },
    giveUp: async (id) => {
      givenUp.push(id);
    },
  };
  return { work, calls, givenUp };
}

describe('SendScheduler', () => {
  it('sends a lane in id order and ignores ids already pending', async () => {
    const scheduler = new SendScheduler(options);
    const { work, calls } = recordingWork(() => 'sent');
    const lane = scheduler.addLane('a', work);
    for (const id of ['03', '01', '02', '01', '03']) scheduler.enqueue(lane, id);
    await scheduler.whenIdle(lane);
    expect(calls).toEqual(['01', '02', '03']);
  });

  it('serves lanes round-robin', async () => {
    const scheduler = new SendScheduler(options);
    const order: string[] = [];
    const lane = (name: string) =>
      scheduler.addLane(name, {
        send: async (id) => {
          order.push(`${name}:${id}`);
          return 'sent';
        },
        giveUp: async () => undefined,
      });
    const a = lane('a');
    const b = lane('b');
    const c = lane('c');
    for (const id of ['1', '2', '3']) scheduler.enqueue(a, id);
    scheduler.enqueue(b, '1');
    for (const id of ['1', '2']) scheduler.enqueue(c, id);
    await Promise.all([scheduler.whenIdle(a), scheduler.whenIdle(b), scheduler.whenIdle(c)]);
    expect(order).toEqual(['a:1', 'b:1', 'c:1', 'a:2', 'c:2', 'a:3']);
  });

  it('retries a failing send and gives up after maxAttempts; keeps order behind it', async () => {
    const scheduler = new SendScheduler(options);
    const { work, calls, givenUp } = recordingWork((id, attempt) =>
      id === '01' ? new Error('network') : id === '02' && attempt === 1 ? new Error('blip') : 'sent',
    );
    const lane = scheduler.addLane('a', work);
    scheduler.enqueue(lane, '01');
    scheduler.enqueue(lane, '02');
    await scheduler.whenIdle(lane);
    expect(givenUp).toEqual(['01']);
    expect(calls).toEqual(['01', '01', '01', '02', '02']);
  });

  it('a removed lane drops what is pending; close waits for the send in flight', async () => {
    const scheduler = new SendScheduler(options);
    let release: () => void = () => undefined;
    const calls: string[] = [];
    const lane = scheduler.addLane('a', {
      send: async (id) => {
        calls.push(id);
        await new Promise<void>((r) => (release = r));
        return 'sent';
      },
      giveUp: async () => undefined,
    });
    scheduler.enqueue(lane, '01');
    scheduler.enqueue(lane, '02');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['01']);
    scheduler.removeLane(lane);
    let closed = false;
    const closing = scheduler.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(calls).toEqual(['01']);
  });
});
