/**
 * Data keys from AWS KMS: GenerateDataKey (AES_256) to seal, Decrypt to open, both with the EncryptionContext
 * and the configured KeyId. Passing KeyId on Decrypt is deliberate: KMS then refuses a ciphertext wrapped by any
 * other key (IncorrectKeyException) instead of decrypting with whatever key the blob names.
 */
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  DataKeyRejectedError,
  type DataKey,
  type DataKeyProvider,
  type EncryptionContext,
} from '../../ports/data-key-provider.js';

export class KmsDataKeyProvider implements DataKeyProvider {
  readonly name = 'aws-kms' as const;

  constructor(
    private readonly kms: KMSClient,
    /** Key id, key ARN or alias (`alias/...`) of the app's symmetric KMS key. */
    private readonly keyId: string,
  ) {}

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const out = await this.kms.send(
      new GenerateDataKeyCommand({
        KeyId: this.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: { ...context },
      }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key');
    return { plaintext: view(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
  }

  async decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      const out = await this.kms.send(
        new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: { ...context }, KeyId: this.keyId }),
      );
      if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
      return view(out.Plaintext);
    } catch (error) {
      // Only these two mean "this wrapped key will never open here"; throttling, access denied or a disabled
      // key are operational and must not make the caller treat its data as corrupt.
      if (error instanceof InvalidCiphertextException || error instanceof IncorrectKeyException) {
        throw new DataKeyRejectedError(error.name, { cause: error });
      }
      throw error;
    }
  }
}

/** Shares memory with the SDK's array, so zeroising the result also clears the SDK's copy. */
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
