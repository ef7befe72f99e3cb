/**
 * Real emulators for adapter tests: DynamoDB Local and fauxqs (SQS + S3), started once per test file, with the
 * app's tables created under a fresh prefix so files never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createAwsClients, type AwsClients } from '../../shared/adapters/aws/clients.js';
import { AppConfigSchema, type AppConfig } from '../../shared/config/app-config.js';
import { createTables } from '../../local/create-tables.js';
import { startDynamoDbLocal } from '../../local/dynamodb.js';
import { startFauxqsServer } from '../../local/fauxqs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws.js';

export interface AwsEmulators {
  readonly prefix: string;
  readonly config: AppConfig;
  readonly clients: AwsClients;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string; readonly s3: string };
  stop(): Promise<void>;
}

export async function startAwsEmulators(): Promise<AwsEmulators> {
  const [dynamo, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqsServer()]);
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const config = AppConfigSchema.parse({
    AWS_REGION: LOCAL_REGION,
    APP_RESOURCE_PREFIX: prefix,
    APP_CREDENTIALS_BUCKET: `${prefix}credentials`,
    APP_MEDIA_BUCKET: `${prefix}media`,
    APP_LOCAL_MODE: 'true',
    APP_S3_FORCE_PATH_STYLE: 'true',
    APP_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
  });
  const endpoints = { dynamodb: dynamo.endpoint, sqs: fauxqs.endpoint, s3: fauxqs.endpoint };
  const clients = createAwsClients(config, { endpoints, credentials: LOCAL_CREDENTIALS });
  const raw = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createTables(raw, prefix);
  raw.destroy();
  for (const bucket of [config.APP_CREDENTIALS_BUCKET, config.APP_MEDIA_BUCKET]) {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  return {
    prefix,
    config,
    clients,
    endpoints,
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await Promise.all([dynamo.stop(), fauxqs.stop()]);
    },
  };
}
