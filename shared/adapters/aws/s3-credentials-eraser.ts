/**
 * Deletes every credentials object of a session (the prefix from `credentialsKeyPrefix`) from the credentials
 * bucket: list, then delete in batches of up to 1000 (S3's DeleteObjects limit). No decryption is needed, so
 * no KMS access either.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { credentialsKeyPrefix, type CredentialsEraser } from '../../ports/credentials-eraser.js';

export class S3CredentialsEraser implements CredentialsEraser {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async erase(sessionId: string): Promise<void> {
    const Prefix = credentialsKeyPrefix(sessionId);
    let ContinuationToken: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }),
      );
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objects.length > 0) {
        const out = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
        );
        if (out.Errors && out.Errors.length > 0) {
          throw new Error(
            `could not delete ${out.Errors.length} credentials object(s) of session ${sessionId}`,
          );
        }
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
}
