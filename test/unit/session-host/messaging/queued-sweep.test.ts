import { describe, expect, it } from 'vitest';
import { QueuedSweep, type Sweepable } from '../../../../session-host/messaging/queued-sweep.js';

function recorder() {
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const quiet = () => undefined;
  return {
    warnings,
    log: {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
    },
  };
}

describe('QueuedSweep', () => {
  it('a round sweeps every attached session; one that fails is logged and the others still run', async () => {
    const swept: string[] = [];
    const session = (sessionId: string, fail = false): Sweepable => ({
      sessionId,
      sweep: async () => {
        swept.push(sessionId);
        if (fail) throw new Error('ThrottlingException');
      },
    });
    const { warnings, log } = recorder();
    const sweep = new QueuedSweep({
      everyMs: 0,
      sessions: () => [session('a'), session('b', true), session('c')],
      log,
      concurrency: 1,
    });
    await sweep.round();
    expect(swept).toEqual(['a', 'b', 'c']);
    expect(warnings).toEqual([
      {
        message: 'queued sweep failed; next round retries',
        fields: { sessionId: 'b', error: 'ThrottlingException' },
      },
    ]);
  });

  it('after stop, a round sweeps nothing', async () => {
    const swept: string[] = [];
    const sweep = new QueuedSweep({
      everyMs: 0,
      sessions: () => [{ sessionId: 'a', sweep: async () => void swept.push('a') }],
      log: recorder().log,
    });
    sweep.start(); // everyMs 0: never armed
    sweep.stop();
    await sweep.round();
    expect(swept).toEqual([]);
  });
});
