/**
 * Asynchronous plumbing: the domain event bus with its rules, the per-deployment SQS queues (each with a DLQ),
 * their Lambda consumers when a definition names one, and the IAM shape of the per-host command queues.
 */
import { Arn, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import {
  EVENT_RULES,
  QUEUES,
  QUEUE_NAMES,
  TABLES,
  deadLetterQueueName,
  eventBusName,
  hostQueueName,
  physicalQueueName,
  type ConsumerAccess,
  type EventPattern,
  type EventRuleDefinition,
  type QueueDefinition,
  type QueueName,
  type TableName,
} from '../../shared/definitions/index.js';
import {
  KMS_GRANT_WILDCARD_ACTIONS,
  acknowledgeWildcardActions,
  acknowledgeWildcardResource,
} from '../nag.js';
import { AppFunction, type FunctionSettings } from './app-function.js';

export interface MessagingProps {
  readonly resourcePrefix: string;
  readonly key: kms.IKey;
  readonly functionSettings: FunctionSettings;
  /** Defaults to the shared definitions; tests pass variants (e.g. a queue with a consumer). */
  readonly queues?: Readonly<Record<QueueName, QueueDefinition>>;
  readonly eventRules?: readonly EventRuleDefinition[];
  /** The app's tables, for the grants consumers declare (`QueueConsumer.access`). */
  readonly tables?: Readonly<Record<TableName, dynamodb.ITable>>;
}

/** What a WebSocket-posting consumer needs of the control plane's WebSocket API. */
export interface WebSocketAccess {
  readonly webSocketStage: { readonly callbackUrl: string };
  grantManageConnections(grantee: iam.IGrantable & IConstruct): void;
}

/** DLQ messages wait for a human (inspect, replay); keep them as long as SQS allows. */
const DLQ_RETENTION = Duration.days(14);

/** Host command queues: what a session host does with its own queue (and the sweeper with dead hosts' ones). */
export const HOST_QUEUE_OWNER_ACTIONS = [
  'sqs:CreateQueue',
  'sqs:DeleteQueue',
  'sqs:GetQueueUrl',
  'sqs:GetQueueAttributes',
  'sqs:SetQueueAttributes',
  'sqs:TagQueue',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  // Also covers DeleteMessageBatch (the host acks a poll's doorbells in one batch): SQS has no batch action.
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
] as const;

/** Ringing a host's doorbell: the control plane only sends. */
export const HOST_QUEUE_SENDER_ACTIONS = ['sqs:GetQueueUrl', 'sqs:SendMessage'] as const;

/**
 * CDK passes unknown pattern keys (`detail-type`, nested `detail` filters) through verbatim, so the shared
 * definition's EventBridge-syntax pattern is the rendered pattern; the infra tests assert exactly that.
 */
function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return JSON.parse(JSON.stringify(pattern)) as events.EventPattern;
}

export class Messaging extends Construct {
  readonly bus: events.EventBus;
  readonly queues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly deadLetterQueues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly consumers: Partial<Record<QueueName, AppFunction>>;
  private readonly resourcePrefix: string;
  private readonly tables: Readonly<Record<TableName, dynamodb.ITable>> | undefined;
  private readonly queueDefs: Readonly<Record<QueueName, QueueDefinition>>;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    this.resourcePrefix = props.resourcePrefix;
    this.tables = props.tables;
    const queueDefs = props.queues ?? QUEUES;
    this.queueDefs = queueDefs;

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: eventBusName(props.resourcePrefix) });

    const queues: Partial<Record<QueueName, sqs.Queue>> = {};
    const dlqs: Partial<Record<QueueName, sqs.Queue>> = {};
    const consumers: Partial<Record<QueueName, AppFunction>> = {};
    for (const name of QUEUE_NAMES) {
      const def = queueDefs[name];
      const dlq = new sqs.Queue(this, `${name}Dlq`, {
        queueName: deadLetterQueueName(props.resourcePrefix, name),
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: DLQ_RETENTION,
      });
      const queue = new sqs.Queue(this, `${name}Queue`, {
        queueName: physicalQueueName(props.resourcePrefix, name),
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      queues[name] = queue;
      dlqs[name] = dlq;
      if (def.consumer) consumers[name] = this.consumer(name, def, queue, props.functionSettings);
    }
    this.queues = queues as Record<QueueName, sqs.Queue>;
    this.deadLetterQueues = dlqs as Record<QueueName, sqs.Queue>;
    this.consumers = consumers;
    // After every queue exists: a consumer may send to a queue defined after its own.
    for (const name of QUEUE_NAMES) {
      const worker = consumers[name];
      const access = queueDefs[name].consumer?.access;
      if (worker && access) this.grantConsumerAccess(name, worker, access);
    }

    for (const rule of props.eventRules ?? EVENT_RULES) {
      new events.Rule(this, `${rule.ruleName}Rule`, {
        ruleName: `${props.resourcePrefix}${rule.ruleName}`,
        description: rule.description,
        eventBus: this.bus,
        eventPattern: toCdkPattern(rule.pattern),
        // A target failure is retried by EventBridge, then lands in the queue's own DLQ instead of vanishing.
        targets: [
          new targets.SqsQueue(this.queues[rule.targetQueue], { deadLetterQueue: dlqs[rule.targetQueue] }),
        ],
      });
    }
  }

  private consumer(
    name: QueueName,
    def: QueueDefinition,
    queue: sqs.Queue,
    settings: FunctionSettings,
  ): AppFunction {
    const consumer = def.consumer;
    if (!consumer) throw new Error(`queue ${name} has no consumer`);
    const worker = new AppFunction(this, `${name}Consumer`, {
      settings,
      entry: consumer.entry,
      handler: consumer.handler,
      description: `Consumes the ${name} queue`,
      // AWS advises a visibility timeout of at least six times the function timeout, so a retried batch does
      // not overlap a still-running invocation.
      timeout: Duration.seconds(Math.max(3, Math.floor(def.visibilityTimeoutSeconds / 6))),
    });
    worker.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: consumer.batchSize,
        reportBatchItemFailures: consumer.reportBatchItemFailures,
        // The same figure the local mapping runs as pollers; unset leaves Lambda's own scaling.
        ...(consumer.maxConcurrency === undefined ? {} : { maxConcurrency: consumer.maxConcurrency }),
      }),
    );
    return worker;
  }

  /** The grants a consumer declares in its definition, and nothing more. */
  private grantConsumerAccess(name: QueueName, worker: AppFunction, access: ConsumerAccess): void {
    let writesEncryptedData = false;
    for (const [tableName, level] of Object.entries(access.tables ?? {}) as [
      TableName,
      'read' | 'readWrite',
    ][]) {
      const table = this.tables?.[tableName];
      if (!table)
        throw new Error(`consumer of ${name} needs table ${tableName}, but Messaging has no tables`);
      if (level === 'read') table.grantReadData(worker.role);
      else table.grantReadWriteData(worker.role);
      writesEncryptedData ||= level === 'readWrite';
      if (TABLES[tableName].globalIndexes.length > 0) {
        acknowledgeWildcardResource(
          worker.role,
          `${table.tableArn}/index/*`,
          `Queries on the ${tableName} table's own global secondary indexes; no other table is covered.`,
        );
      }
    }
    for (const target of access.sendTo ?? []) {
      this.queues[target].grantSendMessages(worker.role);
      writesEncryptedData = true;
    }
    if (access.eventBus) this.bus.grantPutEventsTo(worker.role);
    if (access.hostCommands) {
      this.grantHostQueueSend(worker.role);
      acknowledgeWildcardResource(
        worker.role,
        this.hostQueueArnPattern(),
        "Host command queues are created by hosts at run time; the pattern covers only this deployment's host-* queues, send and GetQueueUrl only.",
      );
    }
    if (writesEncryptedData) {
      acknowledgeWildcardActions(
        worker.role,
        KMS_GRANT_WILDCARD_ACTIONS,
        'CDK grant for data encrypted with the app data key (tables, queues); the statement is scoped to that one key ARN.',
      );
    }
  }

  /**
   * Consumers that post to browser WebSockets (`access.webSockets`, the realtime push worker) get
   * `execute-api:ManageConnections` on the WebSocket API's stage only and its `@connections` callback URL. Called
   * once the control plane (which owns the WebSocket API, and is built after the queues) exists.
   */
  connectWebSockets(webSockets: WebSocketAccess): void {
    for (const name of QUEUE_NAMES) {
      const worker = this.consumers[name];
      if (!worker || !this.queueDefs[name].consumer?.access?.webSockets) continue;
      webSockets.grantManageConnections(worker.role);
      worker.fn.addEnvironment('APP_WS_CALLBACK_URL', webSockets.webSocketStage.callbackUrl);
    }
  }

  /** ARN pattern of every host command queue of this deployment (`${prefix}host-*`), and of nothing else. */
  hostQueueArnPattern(): string {
    return Arn.format({ service: 'sqs', resource: hostQueueName(this.resourcePrefix, '*') }, Stack.of(this));
  }

  /** Lets a session host task create, use and delete its own family of command queues. */
  grantHostQueueFamily(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...HOST_QUEUE_OWNER_ACTIONS],
      resourceArns: [this.hostQueueArnPattern()],
    });
  }

  /** Lets a control-plane function send commands to any host's queue (never read or delete them). */
  grantHostQueueSend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...HOST_QUEUE_SENDER_ACTIONS],
      resourceArns: [this.hostQueueArnPattern()],
    });
  }
}
