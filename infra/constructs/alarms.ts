/**
 * The alarms an operator needs first, all sending to one SNS topic (subscribe e-mail, chat or paging to it after
 * deploy; the stack outputs its ARN). Each alarm names what broke and what to do in its description, since that
 * text is what lands in the notification. Thresholds and the reasons for them are in docs/infra.md, "Alarms".
 *
 * - work that gave up where that is a platform fault: a message in a dead-letter queue (an event that could not
 *   be turned into deliveries, or that the bus could not hand to the queue; a delivery job the worker kept failing
 *   on). A tenant's endpoint that stays down is not alarmed on: its deliveries end `failed`, shown to that tenant
 *   in the delivery log and replayable by them, and their jobs are acknowledged, not dead-lettered;
 * - work that stopped moving: a queue whose ready messages do not go down;
 * - code that failed: errors of a queue consumer; 5xx answers of the HTTP API;
 * - session hosts in trouble: domain events not published, credentials that do not decrypt, leases lost,
 *   memory near the task's limit (a host that runs out is killed with all its sessions).
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { QUEUE_NAMES, type QueueName } from '../../shared/definitions/index.js';
import type { ControlPlane } from './control-plane.js';
import type { Messaging } from './messaging.js';
import { SESSIONS_PER_HOST_METRIC, type SessionHosts } from './session-hosts.js';

export interface AlarmsProps {
  readonly resourcePrefix: string;
  /** The app's data key: encrypts the topic (CloudWatch cannot publish to a topic under the AWS managed key). */
  readonly key: kms.Key;
  /** Powertools' `service` dimension of the session hosts' metrics. */
  readonly serviceName: string;
  readonly messaging: Messaging;
  readonly controlPlane: ControlPlane;
  readonly sessionHosts: SessionHosts;
}

/** Queues whose dead letters mean the platform failed (see the header); the others' mean a tenant's endpoint did. */
export const DEAD_LETTERS_ARE_FAULTS: Readonly<Record<QueueName, boolean>> = {
  webhookFanout: true,
  // A receiver that keeps failing ends its delivery `failed` and the worker acknowledges the job (the tenant
  // replays it); only jobs the worker itself failed on `maxReceiveCount` times get here.
  webhookDelivery: true,
  // Malformed events are dropped, not retried: a dead letter here is a failure to list connections (DynamoDB).
  realtimePush: true,
  // Its steps are idempotent and its malformed records dropped: a dead letter is DynamoDB or SQS failing.
  poolFailover: true,
};

/**
 * Backlog: messages ready to be processed (visible) that never fell below this for `BACKLOG_ALARM_MINUTES`. Not
 * the oldest message's age: webhook retries wait out their backoff (up to 12 h) in the queue on purpose.
 */
export const BACKLOG_ALARM_MESSAGES = 100;
export const BACKLOG_ALARM_MINUTES = 15;
/** 5xx answers of the HTTP API in five minutes: a few are throttles or cold starts timing out, more is a fault. */
export const API_SERVER_ERRORS_ALARM = 5;
/** Average memory of the session host tasks, percent of the task's limit, for 15 minutes. */
export const HOST_MEMORY_ALARM_PERCENT = 85;

/** Session host counters (session-host/metrics.ts) worth waking someone for: any occurrence in five minutes. */
export const HOST_COUNTER_ALARMS = {
  EventPublishFailures:
    'Domain events (session.status, message.status) did not reach EventBridge after retries; webhooks and rules ' +
    'miss them. message.received events are kept and retried. Check EventBridge throttling and the task role.',
  CredentialsUnreadable:
    'Stored WhatsApp credentials failed to decrypt or verify: the session is marked failed and needs a new QR. ' +
    'Check the KMS key and whether the credentials bucket was written by something else.',
  LeaseLost:
    'A session host could not renew its DynamoDB lease in time and dropped the session, which another host ' +
    'takes over. Repeated losses mean the host is starved (CPU, event loop) or DynamoDB is throttling.',
  LoginsClosed405:
    'WhatsApp closed a session login with 405, most often because the announced WhatsApp Web version is outdated: ' +
    'links and logins fail until it is raised. Set APP_WA_VERSION on the session hosts to the current client_revision ' +
    '(docs/whatsapp-compatibility.md).',
} as const;

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${props.resourcePrefix}alarms`,
      displayName: 'WhatsApp platform alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes to the encrypted topic; only for alarms of this account (confused-deputy guard).
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    const alarms: cloudwatch.Alarm[] = [];
    const add = (name: string, metric: cloudwatch.IMetric, options: AlarmShape): void => {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmName: `${props.resourcePrefix}${kebab(name)}`,
        metric,
        threshold: options.threshold,
        evaluationPeriods: options.periods ?? 1,
        comparisonOperator:
          options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means nothing happened (no traffic, no host running): not a fault.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: options.description,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
      alarms.push(alarm);
    };

    for (const name of QUEUE_NAMES) {
      if (DEAD_LETTERS_ARE_FAULTS[name])
        add(
          `${pascal(name)}DeadLetters`,
          props.messaging.deadLetterQueues[name].metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          {
            threshold: 1,
            description: deadLetterAdvice(name),
          },
        );
      add(
        `${pascal(name)}Backlog`,
        props.messaging.queues[name].metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MINIMUM,
        }),
        {
          threshold: BACKLOG_ALARM_MESSAGES,
          periods: BACKLOG_ALARM_MINUTES,
          description:
            `The ${name} queue has held ${BACKLOG_ALARM_MESSAGES}+ ready messages for ${BACKLOG_ALARM_MINUTES} ` +
            'minutes: its consumer is failing, throttled or cannot keep up. Check the consumer alarm and its logs.',
        },
      );
      const consumer = props.messaging.consumers[name];
      if (consumer) {
        add(
          `${pascal(name)}ConsumerErrors`,
          consumer.fn.metricErrors({
            period: Duration.minutes(5),
            statistic: cloudwatch.Stats.SUM,
          }),
          {
            threshold: 1,
            description:
              `The ${name} queue's consumer function failed (crash or timeout); its batch is retried and ends in ` +
              'the DLQ if it keeps failing. Check the function logs.',
          },
        );
      }
    }

    add(
      'HttpApiServerErrors',
      props.controlPlane.httpApi.metricServerError({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      {
        threshold: API_SERVER_ERRORS_ALARM,
        description:
          'The HTTP API answered 5xx repeatedly: a handler is failing or timing out, or Lambda is throttled. ' +
          'Check the route functions errors and logs (by requestId).',
      },
    );

    for (const [metricName, description] of Object.entries(HOST_COUNTER_ALARMS)) {
      add(
        `SessionHost${metricName}`,
        new cloudwatch.Metric({
          namespace: SESSIONS_PER_HOST_METRIC.namespace,
          metricName,
          dimensionsMap: { service: props.serviceName, host: SESSIONS_PER_HOST_METRIC.hostDimension },
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
        { threshold: 1, description },
      );
    }
    add(
      'SessionHostMemory',
      props.sessionHosts.service.metricMemoryUtilization({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.AVERAGE,
      }),
      {
        threshold: HOST_MEMORY_ALARM_PERCENT,
        periods: 3,
        description:
          `Session host tasks average over ${HOST_MEMORY_ALARM_PERCENT}% of their memory limit: a task that runs out ` +
          'is killed and all its sessions move. Lower the host capacity (APP_HOST_CAPACITY) or give tasks more memory.',
      },
    );
    this.alarms = alarms;
  }
}

interface AlarmShape {
  readonly threshold: number;
  readonly periods?: number;
  readonly comparison?: cloudwatch.ComparisonOperator;
  readonly description: string;
}

function deadLetterAdvice(name: QueueName): string {
  return (
    `Messages are waiting in the ${name} dead-letter queue: work that failed every retry (or an event the bus ` +
    'could not hand to the queue). Nothing is lost while they wait (14 days). Inspect them, fix the cause, then ' +
    'redrive them to the queue (SQS StartMessageMoveTask).'
  );
}

function pascal(name: string): string {
  return name.replace(/(^|[-_ ])(\w)/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
