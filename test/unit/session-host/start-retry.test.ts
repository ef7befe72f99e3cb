import { describe, expect, it } from 'vitest';
import { createHostLogger, type HostLogger } from '../../../session-host/logger.js';
import { retryStartStep } from '../../../session-host/start-retry.js';

/** A silent host logger that keeps its warnings. */
function recordingLog(): { log: HostLogger; warnings: Array<Record<string, unknown>> } {
  const warnings: Array<Record<string, unknown>> = [];
  const log = createHostLogger({ level: 'silent' });
  return {
    warnings,
    log: { ...log, warn: (message, fields) => void warnings.push({ message, ...fields }) },
  };
}

/** Fails its first `failures` calls with a throttling-like error, then answers `value`. */
function flaky<T>(failures: number, value: T) {
  let calls = 0;
  const run = async (): Promise<T> => {
    calls++;
    if (calls <= failures) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    return value;
  };
  return { run, calls: () => calls };
}

describe('retryStartStep', () => {
  it('tries a failing step again with a doubling pause and answers its value', async () => {
    const { log, warnings } = recordingLog();
    const step = flaky(2, 'queue-url');
    await expect(retryStartStep('command queue', step.run, { log, firstPauseMs: 5 })).resolves.toBe(
      'queue-url',
    );
    expect(step.calls()).toBe(3);
    expect(warnings.map((w) => [w['step'], w['attempt'], w['retryInMs']])).toEqual([
      ['command queue', 1, 5],
      ['command queue', 2, 10],
    ]);
    expect(warnings[0]?.['message']).toBe('host start step failed; trying again');
  });

  it('gives up after its attempts with the last error', async () => {
    const { log, warnings } = recordingLog();
    const step = flaky(10, 'never');
    await expect(
      retryStartStep('first heartbeat', step.run, { log, attempts: 3, firstPauseMs: 1 }),
    ).rejects.toThrow('Rate exceeded');
    expect(step.calls()).toBe(3);
    expect(warnings).toHaveLength(2);
  });

  it('runs a step that works once, silently', async () => {
    const { log, warnings } = recordingLog();
    const step = flaky(0, 42);
    await expect(retryStartStep('x', step.run, { log })).resolves.toBe(42);
    expect(step.calls()).toBe(1);
    expect(warnings).toEqual([]);
  });
});
