/**
 * The session hosts: an ECS cluster and a Fargate service running `session-host/` (Baileys), one task per host.
 * Every task sits in a public subnet with its own public IP, so it reaches WhatsApp from its own address (no
 * shared NAT: WhatsApp watches many accounts behind one IP) and accepts no inbound traffic at all. The task role
 * holds exactly what a host does: leases and messages in DynamoDB, its own SQS command queue, encrypted
 * credentials and media on S3, data keys from KMS, events on the bus and frames to browser connections.
 */
import { Aws, Duration, Size, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLES, type TableName } from '../../shared/definitions/index.js';
import { acknowledge, acknowledgeWildcardResource } from '../nag.js';
import { REPOSITORY_ROOT } from './app-function.js';
import type { ControlPlane } from './control-plane.js';
import type { Messaging } from './messaging.js';

/** The "sessions per host" gauge each host publishes as EMF (see `session-host/metrics.ts`). */
export const SESSIONS_PER_HOST_METRIC = {
  namespace: 'WaPlatform/SessionHost',
  metricName: 'SessionsPerHost',
  /** Powertools adds `service` (the service name) and the host adds `host: session-host` to every metric. */
  hostDimension: 'session-host',
} as const;

/** Port of the host's `GET /health` (`APP_HEALTH_PORT`); the container health check calls it on loopback. */
export const HOST_HEALTH_PORT = 8080;

/** Fargate's maximum: SIGTERM, then this long to flush credentials and release leases, then SIGKILL. */
export const HOST_STOP_TIMEOUT = Duration.seconds(120);

export interface SessionHostsProps {
  readonly resourcePrefix: string;
  /** The `APP_*` variables common to functions and hosts (`shared/config/app-config.ts`). */
  readonly appEnvironment: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly logLevel: string;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly key: kms.IKey;
  readonly credentialsBucket: s3.IBucket;
  readonly mediaBucket: s3.IBucket;
  /** VPC flow logs go here (the access-logs bucket). */
  readonly flowLogsBucket: s3.IBucket;
  readonly bus: events.IEventBus;
  readonly messaging: Messaging;
  readonly controlPlane: ControlPlane;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Defaults: the image built from `session-host/Dockerfile`; tests or pipelines may pass a prebuilt one. */
  readonly image?: ecs.ContainerImage;
  /** Sessions one host drives at most (`APP_HOST_CAPACITY`). */
  readonly hostCapacity?: number;
  /** Average sessions per host the service scales towards; below `hostCapacity` so new sessions find room. */
  readonly targetSessionsPerHost?: number;
  readonly minHosts?: number;
  readonly maxHosts?: number;
  readonly cpu?: number;
  readonly memoryLimitMiB?: number;
}

const DEFAULT_HOST_CAPACITY = 200;
const DEFAULT_MIN_HOSTS = 2;
const DEFAULT_MAX_HOSTS = 20;

/** The DynamoDB actions a host uses per table; nothing here scans except the hosts sweeper. */
const TABLE_ACCESS: Partial<Record<TableName, readonly string[]>> = {
  // Claims, renewals, releases and status/QR updates; byLease/byOwner queries find work and own sessions.
  // Renewal rounds are PartiQL updates in batches (`BatchExecuteStatement` checks `PartiQLUpdate` per statement).
  sessions: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PartiQLUpdate',
  ],
  // Queued sends (drained in order), forward-only status updates, received messages, receipts by WhatsApp id.
  messages: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:BatchWriteItem',
  ],
  chats: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // Heartbeats and queue URLs; the sweeper lists hosts to find dead ones and removes their items.
  hosts: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:Scan',
  ],
  // Browser connections of a session (QR and status frames); gone connections are deleted.
  wsConnections: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
  // The event outbox: store before publishing, remove once published (in batches: BatchWriteItem), read a
  // session's leftovers back.
  eventOutbox: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'],
  // The LID <-> phone map: looked up per send and receive, written in batches as WhatsApp reveals pairs.
  lidMappings: ['dynamodb:GetItem', 'dynamodb:BatchWriteItem'],
  // Per-key credentials: the data key (GetItem), lazy reads (BatchGetItem), fenced transactions of puts and
  // deletes (TransactWriteItems checks PutItem/DeleteItem per item), and the erase on logout (Query + batches).
  credentials: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'dynamodb:BatchWriteItem',
  ],
  // Number pools: an inbound message's contact looked up on the `byMember` index (its `poolId`).
  poolAssignments: ['dynamodb:Query'],
  // Answers to the API's host requests (number check, profile, block): written, never read back.
  hostReplies: ['dynamodb:PutItem'],
  // The account's groups, from WhatsApp's group notifications: stored whole, settings patched, members changed
  // read-modify-write.
  groups: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
};

export class SessionHosts extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;
  readonly sessionsPerHost: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: SessionHostsProps) {
    super(scope, id);
    const capacity = props.hostCapacity ?? DEFAULT_HOST_CAPACITY;
    const target = props.targetSessionsPerHost ?? Math.floor(capacity * 0.7);
    if (target < 1 || target > capacity) {
      throw new Error(`targetSessionsPerHost must be between 1 and hostCapacity (${capacity})`);
    }

    // Public subnets only and no NAT gateway: each task egresses through its own public IP.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'hosts', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 22 }],
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toS3(props.flowLogsBucket, 'vpc-flow-logs/'),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });

    // No ingress rule at all (hosts only dial out); egress: HTTPS (WhatsApp, AWS APIs, media) and DNS.
    this.securityGroup = new ec2.SecurityGroup(this, 'HostSecurityGroup', {
      vpc: this.vpc,
      description: 'Session hosts: no inbound; outbound HTTPS and DNS only',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS: WhatsApp, AWS APIs, media',
    );
    this.securityGroup.addEgressRule(
      ec2.Peer.ipv4(this.vpc.vpcCidrBlock),
      ec2.Port.udp(53),
      'DNS (VPC resolver)',
    );
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(53), 'DNS over TCP');

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: `${props.resourcePrefix}session-hosts`,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Host logs carry phone numbers and JIDs: encrypted with the app data key like every other log group.
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu ?? 1024,
      memoryLimitMiB: props.memoryLimitMiB ?? 2048,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const hostAccess = this.grantHostAccess(this.taskDefinition.taskRole, props);

    this.sessionsPerHost = new cloudwatch.Metric({
      namespace: SESSIONS_PER_HOST_METRIC.namespace,
      metricName: SESSIONS_PER_HOST_METRIC.metricName,
      dimensionsMap: { service: props.serviceName, host: SESSIONS_PER_HOST_METRIC.hostDimension },
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
    });

    this.container = this.taskDefinition.addContainer('Host', {
      containerName: 'session-host',
      image:
        props.image ??
        // Staged (not built) at synth, so synth needs no Docker engine; `cdk deploy` builds and pushes it.
        ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, {
          file: 'session-host/Dockerfile',
          platform: Platform.LINUX_ARM64,
        }),
      essential: true,
      stopTimeout: HOST_STOP_TIMEOUT,
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'host',
        logGroup: this.logGroup,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        // Logging must never stall the event loop; a burst beyond the buffer is dropped, not waited for.
        maxBufferSize: Size.mebibytes(25),
      }),
      environment: {
        ...props.appEnvironment,
        AWS_REGION: Aws.REGION,
        APP_HOST_CAPACITY: String(capacity),
        APP_HEALTH_PORT: String(HOST_HEALTH_PORT),
        APP_METRICS: 'true',
        APP_METRICS_NAMESPACE: SESSIONS_PER_HOST_METRIC.namespace,
        APP_LOG_LEVEL: props.logLevel.toLowerCase(),
        // No NODE_OPTIONS=--enable-source-maps: it costs ~140 MiB RSS per task with the host's bundle (see
        // session-host/Dockerfile); set it by hand while debugging.
      },
      healthCheck: {
        // The image has no curl; Node's fetch asks the host's own health endpoint on loopback.
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${HOST_HEALTH_PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        // Logging in the first sessions is CPU-heavy; do not count failures while the host warms up.
        startPeriod: Duration.seconds(60),
      },
    });

    // The root file system is read-only; Baileys writes encrypted media to the temp directory before upload.
    this.taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: `${props.resourcePrefix}session-hosts`,
      taskDefinition: this.taskDefinition,
      // No desiredCount: a deploy must not reset the count autoscaling chose (it starts at minCapacity).
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [this.securityGroup],
      // New hosts start before old ones get SIGTERM; old hosts release leases and new ones claim the sessions.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: false,
    });

    // Scale on the sessions each host reports. Scale-in kills a host whose sessions then reconnect elsewhere
    // (no new QR), so it is slow and deliberate; scale-out is quick.
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: props.minHosts ?? DEFAULT_MIN_HOSTS,
      maxCapacity: props.maxHosts ?? DEFAULT_MAX_HOSTS,
    });
    scaling.scaleToTrackCustomMetric('SessionsPerHostTracking', {
      metric: this.sessionsPerHost,
      targetValue: target,
      scaleOutCooldown: Duration.minutes(2),
      scaleInCooldown: Duration.minutes(30),
    });

    this.acknowledgeFindings(props, hostAccess);
  }

  private grantHostAccess(role: iam.IRole, props: SessionHostsProps): iam.Policy {
    const policy = new iam.Policy(this, 'HostAccess', { roles: [role] });
    for (const [name, actions] of Object.entries(TABLE_ACCESS) as [TableName, readonly string[]][]) {
      const table = props.tables[name];
      const resources = [table.tableArn];
      if (TABLES[name].globalIndexes.length > 0) resources.push(`${table.tableArn}/index/*`);
      policy.addStatements(new iam.PolicyStatement({ actions: [...actions], resources }));
    }
    // Tables and buckets are encrypted with the app key (SSE-KMS), and credential envelopes use its data keys.
    policy.addStatements(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [props.key.keyArn],
      }),
    );
    // Object reads, versioned writes (ETag check by HEAD) and deletes; ListBucket so a missing object is a
    // 404 and not a 403 (the blob store treats "no credentials yet" as null).
    for (const bucket of [props.credentialsBucket, props.mediaBucket]) {
      policy.addStatements(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    }
    policy.addStatements(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }),
    );
    props.messaging.grantHostQueueFamily(role);
    props.controlPlane.grantManageConnections(this.taskDefinition.taskRole);
    return policy;
  }

  private acknowledgeFindings(props: SessionHostsProps, hostAccess: iam.Policy): void {
    const scopes: Construct[] = [this.taskDefinition.taskRole, hostAccess];
    for (const scope of scopes) {
      for (const name of Object.keys(TABLE_ACCESS) as TableName[]) {
        if (TABLES[name].globalIndexes.length === 0) continue;
        acknowledgeWildcardResource(
          scope,
          `${props.tables[name].tableArn}/index/*`,
          `Queries on the ${name} table's own global secondary indexes; no other table is covered.`,
        );
      }
      for (const bucket of [props.credentialsBucket, props.mediaBucket]) {
        acknowledgeWildcardResource(
          scope,
          bucket.arnForObjects('*'),
          'Object keys are per tenant and session, known only at run time; the ARN is pinned to this one bucket.',
        );
      }
      acknowledgeWildcardResource(
        scope,
        props.messaging.hostQueueArnPattern(),
        'Each host creates and deletes its own command queue at run time; the pattern covers only this deployment\'s "<prefix>host-*" queues.',
      );
    }
    // The execution role pulls the image: CDK scopes the pull to the asset repository, but
    // ecr:GetAuthorizationToken has no resource-level permissions, so AWS requires Resource "*" for it.
    const executionRole = this.taskDefinition.executionRole;
    if (executionRole) {
      acknowledge(
        executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'Only ecr:GetAuthorizationToken, which supports no resource-level permissions (AWS requires "*"); image pulls are scoped to the asset repository.',
      );
    }
    // Configuration only (names, ARNs, tuning): no secret is passed in the environment; credentials come from
    // the task role and data keys from KMS.
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds resource names and tuning knobs only, no secrets; secrets come from the task role and KMS.',
    );
  }
}
