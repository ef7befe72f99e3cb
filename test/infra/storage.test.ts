import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES, TABLES, physicalTableName, type KeyAttribute } from '../../shared/definitions/index.js';
import { TEST_PREFIX, buildStack } from './support.js';

let template: Template;
let keyLogicalId: string;

beforeAll(() => {
  ({ template } = buildStack());
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  keyLogicalId = keys[0] ?? '';
});

const keySchema = (partition: KeyAttribute, sort?: KeyAttribute) => [
  { AttributeName: partition.name, KeyType: 'HASH' },
  ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' }] : []),
];

describe('KMS', () => {
  it('has one customer-managed key for the app data, with rotation', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/${TEST_PREFIX}data` });
  });

  it('encrypts every log group (function and access logs) with the data key', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group['Properties']['KmsKeyId']).toEqual({ 'Fn::GetAtt': [keyLogicalId, 'Arn'] });
    }
  });
});

describe('DynamoDB tables', () => {
  it('creates exactly the tables of the shared definitions', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLE_NAMES.length);
  });

  it.each(TABLE_NAMES)('%s: keys, GSIs, TTL, PITR, KMS, on-demand, deletion protection', (name) => {
    const def = TABLES[name];
    const ttl = def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : Match.absent();
    const gsis =
      def.globalIndexes.length === 0
        ? Match.absent()
        : def.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          }));
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: physicalTableName(TEST_PREFIX, name),
        KeySchema: keySchema(def.partitionKey, def.sortKey),
        GlobalSecondaryIndexes: gsis,
        TimeToLiveSpecification: ttl,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] },
        },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('declares every key attribute with its type', () => {
    for (const name of TABLE_NAMES) {
      const def = TABLES[name];
      const keys = [
        def.partitionKey,
        def.sortKey,
        ...def.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
      ];
      const expected = keys
        .filter((k): k is KeyAttribute => k !== undefined)
        .map((k) => ({ AttributeName: k.name, AttributeType: k.type }));
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: physicalTableName(TEST_PREFIX, name),
        AttributeDefinitions: Match.arrayWith(
          [...new Map(expected.map((a) => [a.AttributeName, a])).values()].map((a) => Match.objectLike(a)),
        ),
      });
    }
  });
});

describe('S3 buckets', () => {
  const kmsEncryption = {
    ServerSideEncryptionConfiguration: [
      Match.objectLike({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
      }),
    ],
  };
  const blockAll = {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  };

  it('every bucket blocks public access and is encrypted', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    // Credentials, media, access logs; the console's bucket and its CloudFront log bucket.
    expect(Object.keys(buckets)).toHaveLength(5);
    for (const bucket of Object.values(buckets)) {
      expect(bucket['Properties']['PublicAccessBlockConfiguration']).toEqual(blockAll);
      expect(bucket['Properties']['BucketEncryption']).toBeDefined();
    }
  });

  it('credentials bucket: SSE-KMS with the data key, versioned, access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: kmsEncryption,
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'credentials/' },
    });
  });

  it('media bucket: SSE-KMS, access-logged, objects expire', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: kmsEncryption,
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'media/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Status: 'Enabled', ExpirationInDays: Match.anyValue() })]),
      },
    });
  });

  it('every bucket policy denies requests without TLS', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(5);
    for (const policy of Object.values(policies)) {
      expect(policy['Properties']['PolicyDocument']['Statement']).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });
});

describe('cursor key', () => {
  it('is a generated secret under the data key, in every function’s environment and no host’s', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    const ids = Object.keys(secrets);
    expect(ids).toHaveLength(1);
    const secret = secrets[ids[0]!]!['Properties'];
    expect(secret['KmsKeyId']).toEqual({ 'Fn::GetAtt': [keyLogicalId, 'Arn'] });
    expect(secret['GenerateSecretString']).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    // A dynamic reference to that secret, resolved at deploy time: the value is never in the template.
    const reference = {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: ids[0] }, ':SecretString:::}}']],
    };
    // The app's functions (CDK's own custom-resource functions carry none of the app's settings).
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn['Properties']['Environment']?.['Variables']?.['APP_RESOURCE_PREFIX'] !== undefined,
    );
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      expect(fn['Properties']['Environment']['Variables']['APP_CURSOR_SECRET']).toEqual(reference);
    }
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
      (t) => t['Properties']['ContainerDefinitions'] as { Environment?: { Name: string }[] }[],
    );
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect((c.Environment ?? []).map((e) => e.Name)).not.toContain('APP_CURSOR_SECRET');
    }
  });
});
