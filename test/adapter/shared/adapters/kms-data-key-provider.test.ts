import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsStandIn, type RunningKmsStandIn } from '../../../../local/kms.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../../local/local-aws.js';
import { KmsDataKeyProvider } from '../../../../shared/adapters/aws/kms-data-key-provider.js';
import { DecryptionError, EnvelopeCipher, readEnvelopeHeader } from '../../../../shared/crypto/envelope.js';
import { DataKeyRejectedError } from '../../../../shared/ports/data-key-provider.js';

let kms: RunningKmsStandIn;
let client: KMSClient;

beforeAll(async () => {
  kms = await startKmsStandIn();
  client = new KMSClient({
    endpoint: kms.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await kms?.stop();
});

const context = { 'wa:envelope': 'creds/sessions/01J/auth' };

describe('KmsDataKeyProvider (real SDK client against the KMS stand-in)', () => {
  it('generates a 32-byte data key whose wrapped copy decrypts to it under the same context', async () => {
    const provider = new KmsDataKeyProvider(client, kms.keyId);
    const key = await provider.generateDataKey(context);
    expect(key.plaintext).toHaveLength(32);
    expect(key.wrapped.includes(key.plaintext)).toBe(false);
    const again = await provider.decryptDataKey(key.wrapped, { ...context });
    expect(again.equals(key.plaintext)).toBe(true);
  });

  it('refuses the wrapped key under another context with DataKeyRejectedError', async () => {
    const provider = new KmsDataKeyProvider(client, kms.keyId);
    const key = await provider.generateDataKey(context);
    const error = await provider
      .decryptDataKey(key.wrapped, { 'wa:envelope': 'creds/sessions/02K/auth' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DataKeyRejectedError);
    expect((error as Error).message).toContain('InvalidCiphertextException');
  });

  it('lets an unknown key id through as the SDK error, not as a rejected data key', async () => {
    const provider = new KmsDataKeyProvider(client, 'alias/missing');
    const error = await provider.generateDataKey(context).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(DataKeyRejectedError);
    expect((error as Error).name).toBe('NotFoundException');
  });

  it('seals and opens envelopes, and a blob under another identity is a DecryptionError', async () => {
    const cipher = new EnvelopeCipher(new KmsDataKeyProvider(client, kms.keyId));
    const blob = await cipher.seal(Buffer.from('signal keys'), 'creds/a');
    expect(readEnvelopeHeader(blob, 'creds/a').providerId).toBe(1);
    expect((await cipher.open(blob, 'creds/a')).toString()).toBe('signal keys');
    await expect(cipher.open(blob, 'creds/b')).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'wrapped-key-rejected',
    });
  });

  it('cannot open blobs after the KMS key is gone (another stand-in = another key)', async () => {
    const cipher = new EnvelopeCipher(new KmsDataKeyProvider(client, kms.keyId));
    const blob = await cipher.seal(Buffer.from('x'), 'creds/a');
    const other = await startKmsStandIn();
    const otherClient = new KMSClient({
      endpoint: other.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const otherCipher = new EnvelopeCipher(new KmsDataKeyProvider(otherClient, other.keyId));
      await expect(otherCipher.open(blob, 'creds/a')).rejects.toBeInstanceOf(DecryptionError);
    } finally {
      otherClient.destroy();
      await other.stop();
    }
  });
});
