import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config/app-config.js';
import { availableParallelism } from 'node:os';
import { loadHostConfig } from '../../../session-host/config.js';
import { defaultConnectConcurrency } from '../../../session-host/connect-pacer.js';
import { applyServerTrust, isLoopbackUrl, UntrustedRootKeyError } from '../../../session-host/wa-trust.js';

const base = { APP_CREDENTIALS_BUCKET: 'creds', APP_MEDIA_BUCKET: 'media' };

describe('host configuration', () => {
  it('has production defaults and a unique host id', () => {
    const a = loadHostConfig(base);
    const b = loadHostConfig(base);
    expect(a.hostId).not.toBe(b.hostId);
    expect(a.hostId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).toMatchObject({ capacity: 200, leaseMs: 10_000, renewMs: 3_000, healthPort: 8080 });
    expect(a.waUrl).toBe('wss://web.whatsapp.com/ws/chat');
    expect(loadHostConfig({ ...base, APP_LOCAL_MODE: 'true' }).healthPort).toBe(0);
  });

  it('sizes connect concurrency to the CPUs unless APP_CONNECT_CONCURRENCY is set', () => {
    expect(loadHostConfig(base).connectConcurrency).toBe(defaultConnectConcurrency(availableParallelism()));
    expect(loadHostConfig({ ...base, APP_CONNECT_CONCURRENCY: '3' }).connectConcurrency).toBe(3);
    expect(() => loadHostConfig({ ...base, APP_CONNECT_CONCURRENCY: '0' })).toThrow(
      /APP_CONNECT_CONCURRENCY/,
    );
    expect([1, 2, 3, 4, 8, 64].map((cores) => defaultConnectConcurrency(cores))).toEqual([
      4, 8, 12, 16, 16, 16,
    ]);
  });

  it('beats every second and takes a host for dead after 5 s, within bounds', () => {
    expect(loadHostConfig(base)).toMatchObject({ heartbeatIntervalMs: 1_000, deadHostAfterMs: 5_000 });
    expect(loadHostConfig({ ...base, APP_DEAD_HOST_AFTER_MS: '0' }).deadHostAfterMs).toBe(0);
    // Fewer than 3 beats would let one late beat look like a death.
    expect(() => loadHostConfig({ ...base, APP_DEAD_HOST_AFTER_MS: '2500' })).toThrow(
      /APP_DEAD_HOST_AFTER_MS/,
    );
    // The sweeper would delete the dead host's item before anyone could see it stale.
    expect(() =>
      loadHostConfig({ ...base, APP_DEAD_HOST_AFTER_MS: '5000', APP_HEARTBEAT_TTL_MS: '4000' }),
    ).toThrow(/APP_DEAD_HOST_AFTER_MS/);
  });

  it('names every bad variable', () => {
    expect(() =>
      loadHostConfig({
        ...base,
        APP_HOST_CAPACITY: 'lots',
        APP_LEASE_MS: '2000',
        APP_LEASE_RENEW_MS: '1500',
      }),
    ).toThrow(ConfigError);
    try {
      loadHostConfig({ ...base, APP_HOST_CAPACITY: 'lots', APP_HOST_ID: 'a b' });
    } catch (error) {
      expect(String(error)).toContain('APP_HOST_CAPACITY');
      expect(String(error)).toContain('APP_HOST_ID');
    }
  });

  it('refuses a renew interval longer than half the lease', () => {
    expect(() => loadHostConfig({ ...base, APP_LEASE_MS: '2000', APP_LEASE_RENEW_MS: '1500' })).toThrow(
      /APP_LEASE_RENEW_MS/,
    );
  });

  it('takes a media CA (PEM text) only in local mode', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(loadHostConfig(base).waMediaCa).toBeUndefined();
    expect(loadHostConfig({ ...base, APP_LOCAL_MODE: 'true', APP_WA_MEDIA_CA: pem }).waMediaCa).toBe(pem);
    expect(() => loadHostConfig({ ...base, APP_WA_MEDIA_CA: pem })).toThrow(
      /APP_WA_MEDIA_CA: is only accepted with APP_LOCAL_MODE=true/,
    );
    expect(() => loadHostConfig({ ...base, APP_LOCAL_MODE: 'true', APP_WA_MEDIA_CA: '/tmp/ca.pem' })).toThrow(
      /APP_WA_MEDIA_CA: must be PEM text/,
    );
  });
});

describe('server trust', () => {
  it.each([
    ['ws://127.0.0.1:1234/ws/chat', true],
    ['ws://localhost:1234/ws/chat', true],
    ['ws://[::1]:1234/ws/chat', true],
    ['wss://web.whatsapp.com/ws/chat', false],
    ['ws://10.0.0.1/ws/chat', false],
    ['not a url', false],
  ])('%s loopback: %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });

  it('a simulator root key is refused for a non-loopback WhatsApp URL', () => {
    expect(() => applyServerTrust('wss://web.whatsapp.com/ws/chat', 'ab'.repeat(32))).toThrow(
      UntrustedRootKeyError,
    );
    const restore = applyServerTrust('ws://127.0.0.1:1/ws/chat', 'ab'.repeat(32));
    restore();
  });
});
