import crypto, { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialItemCipher } from '../../../shared/crypto/credential-item-cipher.js';
import { secretKeyObjectsInstalled, useSecretKeyObjects } from '../../../session-host/secret-key-objects.js';

const releases: Array<() => void> = [];
afterEach(() => {
  for (const release of releases.splice(0)) release();
});
const install = (): (() => void) => {
  const release = useSecretKeyObjects();
  releases.push(release);
  return release;
};

describe('useSecretKeyObjects', () => {
  it('keys HMACs and ciphers with the same bytes: same outputs as Node’s own functions', () => {
    const original = createHmac;
    // RFC 4231, test case 2 (HMAC-SHA256 with key "Jefe").
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    const key = Buffer.from('Jefe');
    const data = 'what do ya want for nothing?';
    install();
    // The named ESM import sees the wrapper too (syncBuiltinESMExports), as Baileys' imports do.
    expect(createHmac).not.toBe(original);
    expect(createHmac).toBe(crypto.createHmac);
    expect(createHmac('sha256', key).update(data).digest('hex')).toBe(expected);
    expect(createHmac('sha256', new Uint8Array(key)).update(data).digest('hex')).toBe(expected);
    // An empty key (no KeyObject can hold it) and a string key go through unchanged.
    expect(createHmac('sha256', Buffer.alloc(0)).update('x').digest('hex')).toBe(
      original('sha256', Buffer.alloc(0)).update('x').digest('hex'),
    );
    expect(createHmac('sha256', 'Jefe').update(data).digest('hex')).toBe(expected);

    const aesKey = randomBytes(32);
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', aesKey, iv);
    const sealed = Buffer.concat([cipher.update('a libsignal message key'), cipher.final()]);
    const decipher = createDecipheriv('aes-256-cbc', aesKey, iv);
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).toString()).toBe(
      'a libsignal message key',
    );
    // AES-GCM with an auth tag, as the credential items use it: sealed while installed, opened after.
    const items = new CredentialItemCipher(randomBytes(32));
    const ref = { sessionId: 's1', type: 'session', id: '100@lid.0' };
    const item = items.seal(ref, Buffer.from('a session record'));
    for (const release of releases.splice(0)) release();
    expect(Buffer.from(items.open(ref, item)).toString()).toBe('a session record');
  });

  it('installs once for many hosts and restores Node’s functions when the last one stops', () => {
    const original = crypto.createHmac;
    const first = install();
    const wrapped = crypto.createHmac;
    const second = install();
    expect(crypto.createHmac).toBe(wrapped);
    first();
    first(); // a second release of the same hold changes nothing
    expect(secretKeyObjectsInstalled()).toBe(true);
    expect(crypto.createHmac).toBe(wrapped);
    second();
    expect(secretKeyObjectsInstalled()).toBe(false);
    expect(crypto.createHmac).toBe(original);
    expect(createHmac).toBe(original);
  });
});
