/**
 * Data at rest: one customer-managed KMS key, every DynamoDB table of the shared definitions (on-demand, PITR, KMS), the credentials
 * bucket (Baileys auth state) and the media bucket, with server access logs in a separate bucket.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  TABLE_NAMES,
  TABLES,
  physicalTableName,
  type KeyAttribute,
  type TableDefinition,
  type TableName,
} from '../../shared/definitions/index.js';
import { MEDIA_RETENTION_DAYS } from '../../shared/domain/media.js';

export interface StorageProps {
  readonly resourcePrefix: string;
  /** Prod-like data: tables get deletion protection and everything survives `cdk destroy`. */
  readonly retainData: boolean;
  /** Days before media objects expire; media is re-fetchable from WhatsApp or re-uploadable by the tenant. */
  readonly mediaRetentionDays?: number;
}

const DEFAULT_MEDIA_RETENTION_DAYS = MEDIA_RETENTION_DAYS;
/** Old credential versions are the way back from a corrupted auth state ("Bad MAC"); keep them a while. */
const CREDENTIAL_VERSION_RETENTION_DAYS = 30;
const ACCESS_LOG_RETENTION_DAYS = 365;

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

export class Storage extends Construct {
  readonly key: kms.Key;
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly credentialsBucket: s3.Bucket;
  readonly mediaBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'DataKey', {
      alias: `alias/${props.resourcePrefix}data`,
      description: 'Encrypts the WhatsApp platform data: tables, buckets, queues and credential data keys',
      enableKeyRotation: true,
      removalPolicy,
    });
    // Function and access logs carry phone numbers and IPs: CloudWatch Logs encrypts them with the same key.
    // The encryption-context condition limits the logs service to this account's log groups.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );

    const tables: Partial<Record<TableName, dynamodb.Table>> = {};
    for (const name of TABLE_NAMES) {
      tables[name] = this.table(TABLES[name], props.resourcePrefix, props.retainData, removalPolicy);
    }
    this.tables = tables as Record<TableName, dynamodb.Table>;

    // Server access logs cannot be delivered to an SSE-KMS bucket, so this one (and only this one) uses SSE-S3.
    // It has no access log of its own (that would loop); cdk-nag recognises a log target and does not flag it.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
      removalPolicy,
    });
    this.credentialsBucket = new s3.Bucket(this, 'Credentials', {
      ...this.encryptedBucketDefaults(removalPolicy),
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'credentials/',
      lifecycleRules: [
        {
          id: 'expire-old-credential-versions',
          noncurrentVersionExpiration: Duration.days(CREDENTIAL_VERSION_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.mediaBucket = new s3.Bucket(this, 'Media', {
      ...this.encryptedBucketDefaults(removalPolicy),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'media/',
      lifecycleRules: [
        {
          id: 'expire-media',
          expiration: Duration.days(props.mediaRetentionDays ?? DEFAULT_MEDIA_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }

  private encryptedBucketDefaults(removalPolicy: RemovalPolicy): s3.BucketProps {
    return {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // One KMS call per bucket key period instead of per object: credential writes are frequent and small.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    };
  }

  private table(
    def: TableDefinition,
    prefix: string,
    retainData: boolean,
    removalPolicy: RemovalPolicy,
  ): dynamodb.Table {
    // Table rather than TableV2: TableV2 cannot render a customer-managed key in a region-agnostic stack, and
    // synth must work without credentials (hence without a known region).
    const table = new dynamodb.Table(this, `${def.logicalName}Table`, {
      tableName: physicalTableName(prefix, def.logicalName),
      partitionKey: attribute(def.partitionKey),
      sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: def.ttlAttribute,
      deletionProtection: retainData,
      removalPolicy,
    });
    for (const index of def.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
      });
    }
    return table;
  }
}
