/**
 * AWS SDK clients built once per process from configuration. On AWS nothing but the region is needed; the
 * local cloud and tests pass explicit endpoints (or set the SDK's own `AWS_ENDPOINT_URL_*` variables), so the
 * same adapters talk to AWS or to the emulators.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AppConfig } from '../../config/app-config.js';

export interface AwsEndpoints {
  readonly dynamodb?: string;
  readonly sqs?: string;
  readonly s3?: string;
  readonly eventbridge?: string;
  readonly kms?: string;
}

export interface AwsClientOptions {
  readonly endpoints?: AwsEndpoints;
  /** Static credentials for emulators; on AWS the default provider chain is used. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly eventBridge: EventBridgeClient;
  readonly kms: KMSClient;
}

export function createAwsClients(
  config: Pick<AppConfig, 'AWS_REGION' | 'APP_S3_FORCE_PATH_STYLE'>,
  options: AwsClientOptions = {},
): AwsClients {
  const base = {
    region: config.AWS_REGION,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const at = (endpoint: string | undefined) => (endpoint ? { ...base, endpoint } : base);
  const e = options.endpoints ?? {};
  return {
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(at(e.dynamodb)), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // Behind an endpoint override (emulators) the queue URLs name hosts that may not resolve
    // (`sqs.us-east-1.localhost`): send to the endpoint, not to the URL's host. On AWS keep the SDK's default.
    sqs: new SQSClient({ ...at(e.sqs), useQueueUrlAsEndpoint: !sqsEndpointOverridden(e.sqs) }),
    s3: new S3Client({ ...at(e.s3), forcePathStyle: config.APP_S3_FORCE_PATH_STYLE }),
    eventBridge: new EventBridgeClient(at(e.eventbridge)),
    kms: new KMSClient(at(e.kms)),
  };
}

function sqsEndpointOverridden(endpoint: string | undefined): boolean {
  return Boolean(endpoint ?? process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL);
}
