import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHostLogger } from '../../../session-host/logger.js';
import { REDACTED, isSecretFieldName, redactLogFields } from '../../../session-host/log-redaction.js';

function capture(): { lines: () => string; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { lines: () => chunks.join(''), destination };
}

describe('redactLogFields', () => {
  it('replaces key-shaped fields at any depth, whatever their spelling', () => {
    const out = redactLogFields({
      creds: { noiseKey: { private: 'AAA', public: 'BBB' }, signedIdentityKey: 'x', adv_secret_key: 'y' },
      session: { currentRatchet: { rootKey: 'r', ephemeralKeyPair: { privKey: 'p' } } },
      media: [{ mediaKey: 'm' }],
      harmless: { id: '3EB0', count: 2 },
    });
    expect(out).toEqual({
      creds: { noiseKey: REDACTED, signedIdentityKey: REDACTED, adv_secret_key: REDACTED },
      session: { currentRatchet: { rootKey: REDACTED, ephemeralKeyPair: REDACTED } },
      media: [{ mediaKey: REDACTED }],
      harmless: { id: '3EB0', count: 2 },
    });
  });

  it('masks webhook secrets and API keys inside strings, and drops raw bytes', () => {
    const out = redactLogFields({
      note: 'secret whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ= and key wak_0123456789abcdef here',
      bytes: Buffer.from('private bytes'),
    });
    expect(out.note).not.toContain('c2VjcmV0LXNlY3JldC1zZWNyZXQ');
    expect(out.note).not.toContain('0123456789abcdef');
    expect(out.note).toContain(`whsec${REDACTED}`);
    expect(out.bytes).toBe(REDACTED);
  });

  it('survives cycles and deep nesting', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { privKey: 'k' };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    const out = redactLogFields({ a, deep });
    expect(out.a).toEqual({ name: 'a', self: '[circular]' });
    expect(JSON.stringify(out)).not.toContain('"k"');
  });

  it('knows the names the issue lists', () => {
    for (const name of ['privKey', 'rootKey', 'noiseKey', 'signedIdentityKey', 'mediaKey', 'token'])
      expect(isSecretFieldName(name)).toBe(true);
    expect(isSecretFieldName('messageId')).toBe(false);
  });
});

describe('the host logger', () => {
  it('writes no key material, for its own lines and for the Baileys child', () => {
    const { lines, destination } = capture();
    const log = createHostLogger({ level: 'debug', destination });
    log.info('creds updated', { update: { advSecretKey: 'QURWLVNFQ1JFVA==' } });
    log.pino.child({ component: 'baileys' }).debug({ key: { privKey: 'UFJJVg==' }, id: '3EB0' }, 'x');
    const text = lines();
    expect(text).toContain('creds updated');
    expect(text).toContain('3EB0');
    expect(text).not.toContain('QURWLVNFQ1JFVA==');
    expect(text).not.toContain('UFJJVg==');
  });
});
