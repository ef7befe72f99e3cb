import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHostMetrics } from '../../../session-host/metrics.js';

describe('host metrics (EMF)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sums counters and publishes them with the gauges in one EMF line, then starts over', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics = createHostMetrics({
      enabled: true,
      namespace: 'Test/Host',
      serviceName: 'svc',
      hostId: 'h1',
    });
    metrics.count('Reconnects', 2);
    metrics.count('Reconnects');
    metrics.flush({ SessionsPerHost: 7 });
    metrics.flush({ SessionsPerHost: 6 });
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('CloudWatchMetrics'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({
      Reconnects: 3,
      SessionsPerHost: 7,
      service: 'svc',
      host: 'session-host',
      hostId: 'h1',
    });
    const meta = (emf[0]!._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0];
    expect(meta?.Namespace).toBe('Test/Host');
    expect(emf[1]).toMatchObject({ SessionsPerHost: 6 });
    expect(emf[1]).not.toHaveProperty('Reconnects');
  });

  it('disabled: nothing on stdout', () => {
    const write = vi.spyOn(process.stdout, 'write');
    const metrics = createHostMetrics({
      enabled: false,
      namespace: 'Test/Host',
      serviceName: 'svc',
      hostId: 'h1',
    });
    metrics.count('Reconnects');
    metrics.flush({ SessionsPerHost: 1 });
    expect(write).not.toHaveBeenCalled();
  });
});
