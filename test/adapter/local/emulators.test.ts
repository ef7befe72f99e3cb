import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES, physicalTableName } from '../../../shared/definitions/tables.js';
import { startAwsEmulators, type AwsEmulators } from '../../support/aws-emulators.js';

describe('local emulators', () => {
  let emulators: AwsEmulators;
  beforeAll(async () => {
    emulators = await startAwsEmulators();
  });
  afterAll(async () => {
    await emulators?.stop();
  });

  it('creates every table of the shared definitions in DynamoDB Local', async () => {
    const listed = await emulators.clients.dynamo.send(
      // The run shares one DynamoDB Local (pages of 100 names): list from this file's prefix on.
      new ListTablesCommand({ ExclusiveStartTableName: emulators.prefix }),
    );
    const expected = TABLE_NAMES.map((t) => physicalTableName(emulators.prefix, t)).sort();
    expect(listed.TableNames?.filter((n) => n.startsWith(emulators.prefix)).sort()).toEqual(expected);
  });

  it('serves S3 path-style from fauxqs', async () => {
    const Bucket = emulators.config.APP_MEDIA_BUCKET;
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket, Key: 'a/b.txt', Body: 'hello' }));
    const got = await emulators.clients.s3.send(new GetObjectCommand({ Bucket, Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
  });
});
