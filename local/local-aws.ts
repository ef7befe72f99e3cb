/** Region and static credentials every local emulator accepts. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
/** The account id LocalStack and the AWS docs use for examples; ARNs built locally carry it. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The emulator endpoints of a running local cloud (`LocalStack` has them all). */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly s3: string;
  readonly eventbridge: string;
  readonly kms: string;
}

/**
 * `createAwsClients` options that point every client at the local cloud, given in code: the SQS client only
 * ignores the (unresolvable) host of fauxqs queue URLs for an endpoint given this way.
 */
export function localClientOptions(stack: LocalEndpoints) {
  const { dynamodb, sqs, s3, eventbridge, kms } = stack;
  return { endpoints: { dynamodb, sqs, s3, eventbridge, kms }, credentials: LOCAL_CREDENTIALS };
}
