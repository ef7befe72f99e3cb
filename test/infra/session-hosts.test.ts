/**
 * The session hosts' Fargate service: networking (own public IP, no ingress, HTTPS + DNS out), the task role's
 * exact grants, the container's configuration and the scaling policy on the hosts' own metric. The image's
 * non-root user and health check live in `session-host/Dockerfile` (not built here: no Docker engine).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOST_HEALTH_PORT, SESSIONS_PER_HOST_METRIC } from '../../infra/constructs/session-hosts.js';
import { HostSettingsSchema } from '../../session-host/config.js';
import { MessagingSettingsSchema } from '../../session-host/messaging/config.js';
import { AppConfigSchema } from '../../shared/config/app-config.js';
import { TEST_PREFIX, buildStack } from './support.js';

let template: Template;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function resources(): Resources {
  return template.toJSON()['Resources'] as Resources;
}

function onlyLogicalId(type: string, props: Record<string, unknown> = {}): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0] ?? '';
}

/** Every statement of every IAM policy attached to the role with logical id `roleId`. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resources())
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties['Roles']) === JSON.stringify([{ Ref: roleId }]),
    )
    .flatMap((r) => (r.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement): string[] => [s.Action].flat();
const resourcesOf = (s: Statement): unknown[] => [s.Resource].flat();

function tableArn(logicalName: string): unknown {
  return {
    'Fn::GetAtt': [
      onlyLogicalId('AWS::DynamoDB::Table', { TableName: `${TEST_PREFIX}${logicalName}` }),
      'Arn',
    ],
  };
}

function taskRoleId(): string {
  const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  const ref = taskDef?.['Properties']['TaskRoleArn'] as { 'Fn::GetAtt': [string, string] };
  return ref['Fn::GetAtt'][0];
}

function executionRoleId(): string {
  const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  const ref = taskDef?.['Properties']['ExecutionRoleArn'] as { 'Fn::GetAtt': [string, string] };
  return ref['Fn::GetAtt'][0];
}

function containerEnvironment(): Record<string, unknown> {
  const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  const [container] = taskDef?.['Properties']['ContainerDefinitions'] as {
    Environment: { Name: string; Value: unknown }[];
  }[];
  return Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value]));
}

beforeAll(() => {
  ({ template } = buildStack());
});

describe('network', () => {
  it('runs tasks in public subnets with a public IP each, behind the hosts security group', () => {
    const sgId = onlyLogicalId('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Session hosts'),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'ENABLED',
          SecurityGroups: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
        },
      },
    });
  });

  it('has no NAT gateway: every task egresses from its own address', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet['Properties']['MapPublicIpOnLaunch']).toBe(true);
    }
  });

  it('allows no inbound traffic and only HTTPS and DNS out', () => {
    const [sg] = Object.values(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('Session hosts') },
      }),
    );
    expect(sg?.['Properties']['SecurityGroupIngress']).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    const egress = sg?.['Properties']['SecurityGroupEgress'] as {
      CidrIp: unknown;
      IpProtocol: string;
      FromPort: number;
      ToPort: number;
    }[];
    expect(egress.map((e) => `${e.IpProtocol}/${e.FromPort}-${e.ToPort}`).sort()).toEqual([
      'tcp/443-443',
      'tcp/53-53',
      'udp/53-53',
    ]);
    // DNS only towards the VPC resolver, not the internet.
    for (const rule of egress.filter((e) => e.FromPort === 53)) {
      expect(JSON.stringify(rule.CidrIp)).toContain('CidrBlock');
    }
  });

  it('logs rejected flows of the VPC', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 's3' });
  });
});

describe('cluster, task and container', () => {
  it('enables Container Insights', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: `${TEST_PREFIX}session-hosts`,
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('gives the host 120 s to stop, a read-only root with a writable /tmp, and a health check on /health', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'tmp' }],
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'session-host',
          Essential: true,
          StopTimeout: 120,
          ReadonlyRootFilesystem: true,
          MountPoints: [{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' }],
          HealthCheck: Match.objectLike({
            Command: Match.arrayWith([Match.stringLikeRegexp(`127\\.0\\.0\\.1:${HOST_HEALTH_PORT}/health`)]),
          }),
        }),
      ],
    });
  });

  it('builds the image from the repository (an asset in the CDK container-assets repository)', () => {
    const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const [container] = taskDef?.['Properties']['ContainerDefinitions'] as { Image: unknown }[];
    expect(JSON.stringify(container?.Image)).toContain('container-assets');
  });

  it('writes logs to its own group, encrypted with the data key, without blocking the process', () => {
    const keyId = onlyLogicalId('AWS::KMS::Key');
    const taskDef = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const [container] = taskDef?.['Properties']['ContainerDefinitions'] as {
      LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
    }[];
    expect(container?.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container?.LogConfiguration.Options['mode']).toBe('non-blocking');
    const groupRef = container?.LogConfiguration.Options['awslogs-group'] as { Ref: string };
    const group = resources()[groupRef.Ref];
    expect(group?.Properties['KmsKeyId']).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  it('passes the app configuration and the host settings, every name one the host reads', () => {
    const env = containerEnvironment();
    expect(env).toMatchObject({
      APP_RESOURCE_PREFIX: TEST_PREFIX,
      APP_HEALTH_PORT: String(HOST_HEALTH_PORT),
      APP_METRICS: 'true',
      APP_METRICS_NAMESPACE: SESSIONS_PER_HOST_METRIC.namespace,
      APP_HOST_CAPACITY: '200',
    });
    for (const name of [
      'APP_CREDENTIALS_BUCKET',
      'APP_MEDIA_BUCKET',
      'APP_KMS_KEY_ID',
      'APP_WS_CALLBACK_URL',
      'AWS_REGION',
    ]) {
      expect(env[name], name).toBeDefined();
    }
    // Never a local-mode switch or a local key in AWS.
    expect(env['APP_LOCAL_MODE']).toBeUndefined();
    expect(env['APP_LOCAL_MASTER_KEY']).toBeUndefined();
    // A misspelt name would silently fall back to a default in the host: every APP_* set must be one it reads.
    const known = new Set([
      ...Object.keys(AppConfigSchema.shape),
      ...Object.keys(HostSettingsSchema.shape),
      ...Object.keys(MessagingSettingsSchema.shape),
    ]);
    expect(Object.keys(env).filter((name) => name.startsWith('APP_') && !known.has(name))).toEqual([]);
  });
});

describe('task role', () => {
  it('grants no "*" resource and no wildcard action', () => {
    const statements = statementsOf(taskRoleId());
    expect(statements.length).toBeGreaterThan(5);
    for (const s of statements) {
      expect(resourcesOf(s)).not.toContain('*');
      for (const action of actionsOf(s)) expect(action).not.toMatch(/\*$/);
    }
  });

  it('reads and writes exactly the sessions, messages, chats, hosts, wsConnections, eventOutbox, lidMappings and credentials tables', () => {
    const statements = statementsOf(taskRoleId()).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    const granted = new Set(statements.flatMap((s) => resourcesOf(s).map((r) => JSON.stringify(r))));
    for (const name of [
      'sessions',
      'messages',
      'chats',
      'hosts',
      'wsConnections',
      'eventOutbox',
      'lidMappings',
      'credentials',
    ]) {
      expect(granted.has(JSON.stringify(tableArn(name))), name).toBe(true);
    }
    for (const name of [
      'tenants',
      'apiKeys',
      'webhooks',
      'deliveries',
      'idempotency',
      'wsTickets',
      'rateLimits',
    ]) {
      expect(granted.has(JSON.stringify(tableArn(name))), name).toBe(false);
    }
    const sessions = statements.find((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(tableArn('sessions'))),
    );
    // A host never creates or deletes session items (the API does); it claims, renews and updates them.
    expect(actionsOf(sessions!)).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query']));
    // Renewal rounds are PartiQL updates in batches; no other PartiQL (no insert, delete or select).
    expect(actionsOf(sessions!).filter((a) => a.startsWith('dynamodb:PartiQL'))).toEqual([
      'dynamodb:PartiQLUpdate',
    ]);
    expect(actionsOf(sessions!)).not.toContain('dynamodb:DeleteItem');
    expect(actionsOf(sessions!)).not.toContain('dynamodb:Scan');
    // The LID map: one GetItem per lookup and batched writes, nothing else.
    const lidMappings = statements.find((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(tableArn('lidMappings'))),
    );
    expect(actionsOf(lidMappings!).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem']);
    // Per-key credentials: the data key, lazy batch reads, fenced puts and deletes, the erase on logout. No
    // update (items are replaced whole, sealed), no scan.
    const credentials = statements.find((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify(tableArn('credentials'))),
    );
    expect(actionsOf(credentials!).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    // The fence is a ConditionCheck on the session's item inside the credentials' transactions.
    expect(actionsOf(sessions!)).toContain('dynamodb:ConditionCheckItem');
  });

  it('may only put, delete (one or a batch) and query its event outbox items (no scan, no update, no index)', () => {
    const arn = JSON.stringify(tableArn('eventOutbox'));
    const outbox = statementsOf(taskRoleId()).filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r) === arn),
    );
    expect(outbox).toHaveLength(1);
    expect([...actionsOf(outbox[0]!)].sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(resourcesOf(outbox[0]!)).toEqual([tableArn('eventOutbox')]);
  });

  it("manages only its own deployment's host command queues", () => {
    const sqs = statementsOf(taskRoleId()).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs).toHaveLength(1);
    expect(actionsOf(sqs[0]!)).toEqual(
      expect.arrayContaining([
        'sqs:CreateQueue',
        'sqs:DeleteQueue',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:SendMessage',
      ]),
    );
    expect(JSON.stringify(sqs[0]!.Resource)).toContain(`:${TEST_PREFIX}host-*`);
  });

  it('uses the data key, the two buckets, the bus and the WebSocket @connections, nothing else', () => {
    const statements = statementsOf(taskRoleId());
    const keyArn = { 'Fn::GetAtt': [onlyLogicalId('AWS::KMS::Key'), 'Arn'] };
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.map(resourcesOf)).toEqual([[keyArn]]);
    expect(actionsOf(kms[0]!).sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
    ]);

    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const s3Resources = JSON.stringify(s3.flatMap(resourcesOf));
    const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));
    const credentials = buckets.find((id) => id.includes('Credentials'))!;
    const media = buckets.find((id) => id.includes('Media'))!;
    const accessLogs = buckets.find((id) => id.includes('AccessLogs'))!;
    expect(s3Resources).toContain(credentials);
    expect(s3Resources).toContain(media);
    expect(s3Resources).not.toContain(accessLogs);

    const busId = onlyLogicalId('AWS::Events::EventBus');
    const events = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('events:')));
    expect(events).toEqual([
      expect.objectContaining({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } }),
    ]);

    const wsApiId = onlyLogicalId('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET' });
    const manage = statements.filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(1);
    expect(JSON.stringify(manage[0]!.Resource)).toContain(wsApiId);
    expect(JSON.stringify(manage[0]!.Resource)).toContain('/v1/*/@connections/*');

    const services = new Set(statements.flatMap(actionsOf).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'events', 'execute-api', 'kms', 's3', 'sqs']);
  });

  it('execution role: "*" only for ecr:GetAuthorizationToken, which has no resource-level permissions', () => {
    const statements = statementsOf(executionRoleId());
    const star = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(star.map(actionsOf)).toEqual([['ecr:GetAuthorizationToken']]);
  });
});

describe('scaling', () => {
  it('tracks the average sessions per host that the hosts publish', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 20,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        CustomizedMetricSpecification: {
          Namespace: SESSIONS_PER_HOST_METRIC.namespace,
          MetricName: SESSIONS_PER_HOST_METRIC.metricName,
          Statistic: 'Average',
          Dimensions: Match.arrayWith([{ Name: 'host', Value: SESSIONS_PER_HOST_METRIC.hostDimension }]),
        },
        TargetValue: 140,
        ScaleInCooldown: 1800,
        ScaleOutCooldown: 120,
      },
    });
  });

  it('leaves the desired count to autoscaling (a deploy does not reset it)', () => {
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(service?.['Properties']['DesiredCount']).toBeUndefined();
  });
});
