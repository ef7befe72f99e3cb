import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalDataKeyProvider } from '../../../../shared/adapters/local/local-data-key-provider.js';
import {
  DecryptionError,
  ENVELOPE_MAGIC,
  EnvelopeCipher,
  IV_BYTES,
  TAG_BYTES,
  readEnvelopeHeader,
  type DecryptionFailure,
} from '../../../../shared/crypto/envelope.js';
import type {
  DataKey,
  DataKeyProvider,
  EncryptionContext,
} from '../../../../shared/ports/data-key-provider.js';

const identity = 'credentials-bucket/sessions/01JABCDEFGHJKMNPQRSTVWXYZ0/auth';
const plaintext = Buffer.from(JSON.stringify({ noiseKey: 'x'.repeat(64), registrationId: 4242 }));

function newCipher(masterKey: Buffer = randomBytes(32)) {
  return { cipher: new EnvelopeCipher(new LocalDataKeyProvider(masterKey)), masterKey };
}

async function expectFailure(promise: Promise<unknown>, reason: DecryptionFailure) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecryptionError);
  expect((error as DecryptionError).reason).toBe(reason);
  return error as DecryptionError;
}

/** Offsets into a sealed blob, from its own header. */
function layout(blob: Buffer) {
  const header = readEnvelopeHeader(blob, identity);
  return { wrappedStart: 8, ivStart: 8 + header.wrappedKey.length, cipherStart: header.raw.length };
}

describe('EnvelopeCipher', () => {
  it('round-trips, with a fresh data key and IV for every seal', async () => {
    const { cipher } = newCipher();
    const a = await cipher.seal(plaintext, identity);
    const b = await cipher.seal(plaintext, identity);
    expect(a.subarray(0, 4).equals(ENVELOPE_MAGIC)).toBe(true);
    expect(a.length).toBe(layout(a).cipherStart + plaintext.length + TAG_BYTES);
    expect(a.includes(plaintext)).toBe(false);
    expect(a.equals(b)).toBe(false);
    expect(
      readEnvelopeHeader(a, identity).wrappedKey.equals(readEnvelopeHeader(b, identity).wrappedKey),
    ).toBe(false);
    expect((await cipher.open(a, identity)).equals(plaintext)).toBe(true);
    expect((await cipher.open(b, identity)).equals(plaintext)).toBe(true);
  });

  it('round-trips an empty plaintext', async () => {
    const { cipher } = newCipher();
    const blob = await cipher.seal(Buffer.alloc(0), identity);
    expect(await cipher.open(blob, identity)).toHaveLength(0);
  });

  it('rejects a flipped bit in the ciphertext, the tag, the IV, and every header field', async () => {
    const { cipher } = newCipher();
    const blob = await cipher.seal(plaintext, identity);
    const { wrappedStart, ivStart, cipherStart } = layout(blob);
    const cases: Array<[string, number, DecryptionFailure]> = [
      ['ciphertext', cipherStart + 3, 'authentication-failed'],
      ['tag', blob.length - 1, 'authentication-failed'],
      ['iv', ivStart + 5, 'authentication-failed'],
      ['wrapped key', wrappedStart + 10, 'wrapped-key-rejected'],
      ['magic', 0, 'unknown-format'],
      ['format version', 4, 'unknown-format'],
      ['provider id', 5, 'provider-mismatch'],
    ];
    for (const [, offset, reason] of cases) {
      const tampered = Buffer.from(blob);
      tampered[offset]! ^= 0x01;
      await expectFailure(cipher.open(tampered, identity), reason);
    }
  });

  it('rejects a blob presented under another identity (copied to another object key)', async () => {
    const { cipher } = newCipher();
    const blob = await cipher.seal(plaintext, identity);
    const error = await expectFailure(cipher.open(blob, `${identity}-other`), 'wrapped-key-rejected');
    expect(error.message).toContain(`${identity}-other`);
  });

  it('rejects a blob whose data key is wrapped for another identity even when the GCM part is not reached', async () => {
    // Same master key, two identities: the wrapped key of one does not open under the other's context.
    const { cipher } = newCipher();
    const one = await cipher.seal(plaintext, 'bucket/a');
    const two = await cipher.seal(plaintext, 'bucket/b');
    const spliced = Buffer.concat([two.subarray(0, layout(two).ivStart), one.subarray(layout(one).ivStart)]);
    await expectFailure(cipher.open(spliced, 'bucket/a'), 'wrapped-key-rejected');
    await expectFailure(cipher.open(spliced, 'bucket/b'), 'authentication-failed');
  });

  it('rejects truncated blobs at every length, and a changed wrapped-key length', async () => {
    const { cipher } = newCipher();
    const blob = await cipher.seal(plaintext, identity);
    for (const length of [0, 3, 4, 6, 8, 20, layout(blob).cipherStart, blob.length - 1]) {
      const error = await cipher.open(blob.subarray(0, length), identity).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `length ${length}`).toBeInstanceOf(DecryptionError);
      expect(['truncated', 'unknown-format', 'authentication-failed']).toContain(
        (error as DecryptionError).reason,
      );
    }
    await expectFailure(cipher.open(blob.subarray(0, 6), identity), 'truncated');
    const longer = Buffer.from(blob);
    longer.writeUInt16BE(blob.length, 6);
    await expectFailure(cipher.open(longer, identity), 'truncated');
  });

  it('rejects a blob sealed under another master key without naming any key material', async () => {
    const { cipher, masterKey } = newCipher();
    const blob = await cipher.seal(plaintext, identity);
    const { cipher: other } = newCipher();
    const error = await expectFailure(other.open(blob, identity), 'wrapped-key-rejected');
    const text = `${error.message} ${String(error.cause)}`;
    for (const secret of [masterKey.toString('base64'), masterKey.toString('hex')]) {
      expect(text).not.toContain(secret);
    }
  });

  it('rejects data that is not an envelope', async () => {
    const { cipher } = newCipher();
    await expectFailure(cipher.open(Buffer.from('{"plain":"json"}'), identity), 'unknown-format');
  });

  it('zeroises the plaintext data key it was given once the blob is sealed', async () => {
    const inner = new LocalDataKeyProvider(randomBytes(32));
    const handedOut: Buffer[] = [];
    const spy: DataKeyProvider = {
      name: 'local',
      async generateDataKey(context: EncryptionContext): Promise<DataKey> {
        const key = await inner.generateDataKey(context);
        handedOut.push(key.plaintext);
        return key;
      },
      decryptDataKey: async (wrapped, context) => {
        const key = await inner.decryptDataKey(wrapped, context);
        handedOut.push(key);
        return key;
      },
    };
    const cipher = new EnvelopeCipher(spy);
    const blob = await cipher.seal(plaintext, identity);
    expect((await cipher.open(blob, identity)).equals(plaintext)).toBe(true);
    expect(handedOut).toHaveLength(2);
    for (const key of handedOut) expect(key.every((byte) => byte === 0)).toBe(true);
  });

  it('lets transient provider failures through unchanged (not a DecryptionError)', async () => {
    const { cipher: sealer } = newCipher();
    const blob = await sealer.seal(plaintext, identity);
    const outage = new Error('KMS throttled');
    const failing = new EnvelopeCipher({
      name: 'local',
      generateDataKey: () => Promise.reject(outage),
      decryptDataKey: () => Promise.reject(outage),
    });
    await expect(failing.open(blob, identity)).rejects.toBe(outage);
  });

  it('has the documented IV and tag sizes', async () => {
    const { cipher } = newCipher();
    const header = readEnvelopeHeader(await cipher.seal(plaintext, identity), identity);
    expect(header.iv).toHaveLength(IV_BYTES);
    expect(header.formatVersion).toBe(1);
    expect(header.providerId).toBe(2);
  });
});

describe('LocalDataKeyProvider', () => {
  it('refuses a master key that is not 32 bytes, without echoing it', () => {
    expect(() => LocalDataKeyProvider.fromBase64(Buffer.alloc(16, 7).toString('base64'))).toThrow(
      /APP_LOCAL_MASTER_KEY must be base64 of 32 bytes$/,
    );
    expect(() => LocalDataKeyProvider.fromBase64(undefined)).toThrow(RangeError);
  });
});
