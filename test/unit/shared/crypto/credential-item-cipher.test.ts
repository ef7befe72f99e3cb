import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CredentialItemCipher,
  type CredentialItemRef,
} from '../../../../shared/crypto/credential-item-cipher.js';
import { DecryptionError } from '../../../../shared/crypto/envelope.js';

const ref: CredentialItemRef = { sessionId: '01SESSIONA', type: 'session', id: '15551230000.0' };
const plaintext = Buffer.from('{"chains":"secret ratchet state"}');

function failure(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DecryptionError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('CredentialItemCipher', () => {
  it('opens what it sealed for the same item, and the ciphertext does not show the plaintext', () => {
    const cipher = new CredentialItemCipher(randomBytes(32));
    const sealed = cipher.seal(ref, plaintext);
    expect(sealed.includes(plaintext)).toBe(false);
    expect(sealed.length).toBe(1 + 12 + plaintext.length + 16);
    expect(cipher.open(ref, sealed).equals(plaintext)).toBe(true);
    // A fresh IV each time: the same value never seals to the same bytes.
    expect(cipher.seal(ref, plaintext).equals(sealed)).toBe(false);
  });

  it('refuses an item swapped to another session, type or id', () => {
    const cipher = new CredentialItemCipher(randomBytes(32));
    const sealed = cipher.seal(ref, plaintext);
    expect(failure(() => cipher.open({ ...ref, sessionId: '01SESSIONB' }, sealed))).toBe(
      'authentication-failed',
    );
    expect(failure(() => cipher.open({ ...ref, type: 'sender-key' }, sealed))).toBe('authentication-failed');
    expect(failure(() => cipher.open({ ...ref, id: '15557654321.0' }, sealed))).toBe('authentication-failed');
    // Length-prefixed parts: moving a character from the type into the id is another item too.
    const a = cipher.seal({ sessionId: 's', type: 'ab', id: 'c' }, plaintext);
    expect(failure(() => cipher.open({ sessionId: 's', type: 'a', id: 'bc' }, a))).toBe(
      'authentication-failed',
    );
  });

  it('refuses a tampered item, another session key, a truncated value and an unknown format', () => {
    const cipher = new CredentialItemCipher(randomBytes(32));
    const sealed = cipher.seal(ref, plaintext);
    const flipped = Buffer.from(sealed);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    expect(failure(() => cipher.open(ref, flipped))).toBe('authentication-failed');
    expect(failure(() => new CredentialItemCipher(randomBytes(32)).open(ref, sealed))).toBe(
      'authentication-failed',
    );
    expect(failure(() => cipher.open(ref, sealed.subarray(0, 20)))).toBe('truncated');
    const versioned = Buffer.from(sealed);
    versioned[0] = 9;
    expect(failure(() => cipher.open(ref, versioned))).toBe('unknown-format');
  });

  it('needs a 32-byte key, keeps its own copy, and refuses use after destroy', () => {
    expect(() => new CredentialItemCipher(randomBytes(16))).toThrow(RangeError);
    const key = randomBytes(32);
    const cipher = new CredentialItemCipher(key);
    const sealed = cipher.seal(ref, plaintext);
    key.fill(0); // the caller clears its copy
    expect(cipher.open(ref, sealed).equals(plaintext)).toBe(true);
    cipher.destroy();
    expect(() => cipher.open(ref, sealed)).toThrow(/after destroy/);
  });
});
