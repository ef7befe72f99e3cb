import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CredentialsEraser } from '../../../../../shared/adapters/aws/s3-credentials-eraser.js';
import { newId } from '../../../../../shared/domain/ids.js';
import { credentialsKeyPrefix } from '../../../../../shared/ports/credentials-eraser.js';
import { startAwsEmulators, type AwsEmulators } from '../../../../support/aws-emulators.js';

let aws: AwsEmulators;
beforeAll(async () => {
  aws = await startAwsEmulators();
});
afterAll(async () => {
  await aws?.stop();
});

describe('S3CredentialsEraser', () => {
  it("deletes every object under the session's prefix and nothing else; erasing again is a no-op", async () => {
    const Bucket = aws.config.APP_CREDENTIALS_BUCKET;
    const [victim, bystander] = [newId(), newId()];
    const keys = ['creds.bin', 'keys/pre-key-1', 'keys/session-abc', 'app-state/x'];
    for (const key of keys) {
      await aws.clients.s3.send(
        new PutObjectCommand({ Bucket, Key: `${credentialsKeyPrefix(victim)}${key}`, Body: 'x' }),
      );
    }
    await aws.clients.s3.send(
      new PutObjectCommand({ Bucket, Key: `${credentialsKeyPrefix(bystander)}creds.bin`, Body: 'y' }),
    );
    // A key that merely starts like the victim's id must survive (the prefix ends with a slash).
    await aws.clients.s3.send(
      new PutObjectCommand({ Bucket, Key: `sessions/${victim}X/creds.bin`, Body: 'z' }),
    );

    const eraser = new S3CredentialsEraser(aws.clients.s3, Bucket);
    await eraser.erase(victim);
    await eraser.erase(victim);

    const left = await aws.clients.s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'sessions/' }));
    expect((left.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      [`sessions/${bystander}/creds.bin`, `sessions/${victim}X/creds.bin`].sort(),
    );
  });
});
