import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_KMS_ALIAS, startKmsStandIn, type RunningKmsStandIn } from '../../../local/kms.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';

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

const context = { 'wa:envelope': 'bucket/sessions/01J/creds' };

describe('KMS stand-in with the real SDK client', () => {
  it('generates an AES-256 data key that Decrypt returns again under the same context', async () => {
    const generated = await client.send(
      new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    expect(generated.Plaintext).toHaveLength(32);
    expect(generated.KeyId).toBe(kms.keyId);
    const blob = generated.CiphertextBlob!;
    expect(Buffer.from(blob).includes(Buffer.from(generated.Plaintext!))).toBe(false);

    const decrypted = await client.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { ...context }, KeyId: kms.keyId }),
    );
    expect(Buffer.from(decrypted.Plaintext!).equals(Buffer.from(generated.Plaintext!))).toBe(true);
    expect(decrypted.KeyId).toBe(kms.keyId);
    expect(decrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  it('refuses Decrypt under another or a missing context with InvalidCiphertextException (HTTP 400)', async () => {
    const { CiphertextBlob } = await client.send(
      new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    const others: Record<string, string>[] = [
      { 'wa:envelope': 'bucket/sessions/02K/creds' },
      {},
      { ...context, extra: 'x' },
    ];
    for (const other of others) {
      const error = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: other })).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidCiphertextException);
      expect((error as InvalidCiphertextException).$metadata.httpStatusCode).toBe(400);
    }
  });

  it('treats context order as irrelevant, as KMS does', async () => {
    const { CiphertextBlob } = await client.send(
      new EncryptCommand({
        KeyId: kms.keyId,
        Plaintext: Buffer.from('hello'),
        EncryptionContext: { a: '1', b: '2' },
      }),
    );
    const out = await client.send(
      new DecryptCommand({ CiphertextBlob, EncryptionContext: { b: '2', a: '1' } }),
    );
    expect(Buffer.from(out.Plaintext!).toString()).toBe('hello');
  });

  it('refuses a tampered or garbage ciphertext blob', async () => {
    const { CiphertextBlob } = await client.send(
      new EncryptCommand({ KeyId: kms.keyId, Plaintext: Buffer.from('secret') }),
    );
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 20]! ^= 0x01;
    await expect(client.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a kms blob at all') })),
    ).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('answers unknown key ids and aliases with NotFoundException', async () => {
    for (const keyId of ['6a1c1b1e-0000-4000-8000-000000000000', 'alias/nope']) {
      const error = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NotFoundException);
      expect((error as NotFoundException).$metadata.httpStatusCode).toBe(400);
    }
  });

  it('refuses Decrypt naming another existing-looking key with IncorrectKeyException or NotFoundException', async () => {
    const { CiphertextBlob } = await client.send(
      new EncryptCommand({ KeyId: kms.keyId, Plaintext: Buffer.from('x') }),
    );
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob, KeyId: 'alias/someone-else' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    // The alias resolves to the same key, so this one is accepted; a blob of a foreign key is not.
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob, KeyId: LOCAL_KMS_ALIAS })),
    ).resolves.toBeDefined();
    const foreign = Buffer.from(CiphertextBlob!);
    foreign.write('00000000', 5, 'ascii');
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: foreign, KeyId: kms.keyId })),
    ).rejects.toBeInstanceOf(IncorrectKeyException);
  });

  it('describes the key by ARN, id and alias', async () => {
    const byArn = await client.send(new DescribeKeyCommand({ KeyId: kms.keyId }));
    expect(byArn.KeyMetadata?.Arn).toBe(kms.keyId);
    expect(byArn.KeyMetadata?.KeyState).toBe('Enabled');
    expect(byArn.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    const byId = await client.send(new DescribeKeyCommand({ KeyId: byArn.KeyMetadata!.KeyId! }));
    const byAlias = await client.send(new DescribeKeyCommand({ KeyId: LOCAL_KMS_ALIAS }));
    expect(byId.KeyMetadata?.Arn).toBe(kms.keyId);
    expect(byAlias.KeyMetadata?.Arn).toBe(kms.keyId);
  });

  it('validates GenerateDataKey sizes like KMS', async () => {
    const sized = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, NumberOfBytes: 64 }));
    expect(sized.Plaintext).toHaveLength(64);
    // ValidationException is not a modelled KMS error class in the SDK; the name and status are what clients see.
    await expect(client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers an unknown operation and a malformed body with KMS error shapes', async () => {
    const unknown = await fetch(kms.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'TrentService.ScheduleKeyDeletion',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const malformed = await fetch(kms.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.Decrypt', 'content-type': 'application/x-amz-json-1.1' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
  });
});
