/**
 * One CloudWatch dashboard, `<prefix>overview`, for the questions an operator asks first: are the sessions
 * connected, are messages flowing, is the API healthy, are webhooks keeping up, are the hosts healthy, and
 * which alarms are firing. Session host figures are the hosts' EMF metrics (session-host/metrics.ts), summed
 * over the hosts: each host publishes once a minute, so a one-minute Sum is the fleet's total.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { QUEUE_NAMES } from '../../shared/definitions/index.js';
import { SessionStatusSchema } from '../../shared/domain/session.js';
import type { Alarms } from './alarms.js';
import type { ControlPlane } from './control-plane.js';
import type { Messaging } from './messaging.js';
import { SESSIONS_PER_HOST_METRIC, type SessionHosts } from './session-hosts.js';

export interface DashboardProps {
  readonly resourcePrefix: string;
  /** Powertools' `service` dimension of the session hosts' metrics. */
  readonly serviceName: string;
  readonly messaging: Messaging;
  readonly controlPlane: ControlPlane;
  readonly sessionHosts: SessionHosts;
  readonly alarms: Alarms;
}

const WIDTH = 24;
const HALF = 12;
const THIRD = 8;

export class OverviewDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const host = (metricName: string, statistic: string = cloudwatch.Stats.SUM, label?: string) =>
      new cloudwatch.Metric({
        namespace: SESSIONS_PER_HOST_METRIC.namespace,
        metricName,
        dimensionsMap: { service: props.serviceName, host: SESSIONS_PER_HOST_METRIC.hostDimension },
        period: Duration.minutes(1),
        statistic,
        ...(label === undefined ? {} : { label }),
      });
    /** A third-width graph of host counters (metric name -> label), summed over the hosts. */
    const hostCounters = (title: string, counters: Readonly<Record<string, string>>) =>
      new cloudwatch.GraphWidget({
        title,
        left: Object.entries(counters).map(([name, label]) => host(name, cloudwatch.Stats.SUM, label)),
        width: THIRD,
      });
    const api = props.controlPlane.httpApi;
    const fiveMinutes = { period: Duration.minutes(5) };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.resourcePrefix}overview`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...props.alarms.alarms],
            width: WIDTH,
            height: 3,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Sessions by status (all hosts)',
            left: SessionStatusSchema.options.map((status) =>
              host(`Sessions_${status}`, cloudwatch.Stats.SUM, status),
            ),
            stacked: true,
            width: HALF,
          }),
          new cloudwatch.GraphWidget({
            title: 'Sessions per host',
            left: [
              host(SESSIONS_PER_HOST_METRIC.metricName, cloudwatch.Stats.AVERAGE, 'average'),
              host(SESSIONS_PER_HOST_METRIC.metricName, cloudwatch.Stats.MAXIMUM, 'busiest host'),
            ],
            right: [
              props.sessionHosts.service.metricCpuUtilization({ label: 'CPU %' }),
              props.sessionHosts.service.metricMemoryUtilization({ label: 'memory %' }),
            ],
            width: HALF,
          }),
        ],
        [
          hostCounters('Messages', {
            MessagesSent: 'sent',
            MessagesReceived: 'received',
            MessagesFailed: 'failed',
          }),
          hostCounters('Incoming media', {
            MediaDownloads: 'stored',
            MediaDownloadsSkipped: 'over the size limit',
            MediaDownloadFailures: 'failed',
            MediaReuploadRequests: 're-upload requests',
          }),
          hostCounters('Session host trouble', {
            Reconnects: 'reconnects',
            LeaseLost: 'leases lost',
            CredentialsUnreadable: 'credentials unreadable',
            EventPublishFailures: 'events not published',
            LoginsClosed405: 'logins closed 405',
            StreamErrorAcks: 'stream error acks',
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'HTTP API requests',
            left: [
              api.metricCount({ ...fiveMinutes, label: 'requests' }),
              api.metricClientError({ ...fiveMinutes, label: '4xx' }),
              api.metricServerError({ ...fiveMinutes, label: '5xx' }),
            ],
            width: HALF,
          }),
          new cloudwatch.GraphWidget({
            title: 'HTTP API latency (ms)',
            left: [
              api.metricLatency({ ...fiveMinutes, statistic: 'p50', label: 'p50' }),
              api.metricLatency({ ...fiveMinutes, statistic: 'p99', label: 'p99' }),
            ],
            width: HALF,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Webhook queues: ready messages',
            left: QUEUE_NAMES.map((name) =>
              props.messaging.queues[name].metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(1),
                statistic: cloudwatch.Stats.MAXIMUM,
                label: name,
              }),
            ),
            right: QUEUE_NAMES.map((name) =>
              props.messaging.deadLetterQueues[name].metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(1),
                statistic: cloudwatch.Stats.MAXIMUM,
                label: `${name} DLQ`,
              }),
            ),
            width: HALF,
          }),
          new cloudwatch.GraphWidget({
            title: 'Webhook workers',
            left: QUEUE_NAMES.flatMap((name) => {
              const consumer = props.messaging.consumers[name];
              return consumer ? [consumer.fn.metricErrors({ ...fiveMinutes, label: `${name} errors` })] : [];
            }),
            right: QUEUE_NAMES.flatMap((name) => {
              const consumer = props.messaging.consumers[name];
              return consumer
                ? [consumer.fn.metricDuration({ ...fiveMinutes, statistic: 'p99', label: `${name} p99 ms` })]
                : [];
            }),
            width: HALF,
          }),
        ],
      ],
    });
  }
}
