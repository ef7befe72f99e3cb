import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_SERVER_ERRORS_ALARM,
  BACKLOG_ALARM_MESSAGES,
  BACKLOG_ALARM_MINUTES,
  DEAD_LETTERS_ARE_FAULTS,
  HOST_COUNTER_ALARMS,
  HOST_MEMORY_ALARM_PERCENT,
} from '../../infra/constructs/alarms.js';
import { SESSIONS_PER_HOST_METRIC } from '../../infra/constructs/session-hosts.js';
import { METRIC } from '../../session-host/metrics.js';
import { QUEUE_NAMES, deadLetterQueueName, physicalQueueName } from '../../shared/definitions/index.js';
import { TEST_PREFIX, buildStack } from './support.js';

let template: Template;

type Resource = { Type: string; Properties: Record<string, unknown> };
type Alarm = {
  AlarmName: string;
  MetricName: string;
  Namespace: string;
  Statistic: string;
  Threshold: number;
  EvaluationPeriods: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  Dimensions?: { Name: string; Value: unknown }[];
  AlarmActions: unknown[];
  OKActions: unknown[];
  AlarmDescription: string;
};

function resources(type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function alarms(): Alarm[] {
  return resources('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as unknown as Alarm);
}

/** The one alarm on `metric` whose dimension `name` refers to the logical id `target` (Ref or GetAtt). */
function alarmOn(metric: string, name: string, target: string): Alarm {
  const found = alarms().filter(
    (a) =>
      a.MetricName === metric &&
      (a.Dimensions ?? []).some((d) => d.Name === name && JSON.stringify(d.Value).includes(`"${target}"`)),
  );
  expect(found, `${metric} alarm on ${target}`).toHaveLength(1);
  return found[0]!;
}

function queueId(queueName: string): string {
  const found = resources('AWS::SQS::Queue').filter(([, r]) => r.Properties['QueueName'] === queueName);
  expect(found).toHaveLength(1);
  return found[0]![0];
}

let topicId: string;

beforeAll(() => {
  ({ template } = buildStack());
  const topics = resources('AWS::SNS::Topic');
  expect(topics).toHaveLength(1);
  topicId = topics[0]![0];
});

describe('alarm topic', () => {
  it('is encrypted with the data key and refuses plain HTTP', () => {
    const keyId = resources('AWS::KMS::Key')[0]![0];
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `${TEST_PREFIX}alarms`,
      KmsMasterKeyId: Match.objectLike({ 'Fn::GetAtt': [keyId, 'Arn'] }),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      }),
    });
  });

  it('lets CloudWatch (of this account only) use the key to publish', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      }),
    });
  });

  it('is an output of the stack', () => {
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });
});

describe('alarms', () => {
  it('every alarm notifies the topic when it fires and when it clears, and treats no data as fine', () => {
    const all = alarms();
    expect(all.length).toBeGreaterThan(8);
    for (const alarm of all) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([{ Ref: topicId }]);
      expect(alarm.TreatMissingData, alarm.AlarmName).toBe('notBreaching');
      expect(alarm.AlarmName.startsWith(TEST_PREFIX), alarm.AlarmName).toBe(true);
      expect(alarm.AlarmDescription.length, alarm.AlarmName).toBeGreaterThan(40);
    }
    expect(new Set(all.map((a) => a.AlarmName)).size).toBe(all.length);
  });

  it.each(QUEUE_NAMES.map((n) => [n] as const))(
    'queue %s: a backlog that does not drain alarms; its DLQ alarms only where dead letters are a platform fault',
    (name) => {
      const backlog = alarmOn(
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        queueId(physicalQueueName(TEST_PREFIX, name)),
      );
      expect(backlog).toMatchObject({
        Statistic: 'Minimum',
        Threshold: BACKLOG_ALARM_MESSAGES,
        EvaluationPeriods: BACKLOG_ALARM_MINUTES,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const dlqId = queueId(deadLetterQueueName(TEST_PREFIX, name));
      const onDlq = alarms().filter((a) =>
        (a.Dimensions ?? []).some((d) => JSON.stringify(d.Value).includes(`"${dlqId}"`)),
      );
      if (DEAD_LETTERS_ARE_FAULTS[name]) {
        expect(onDlq).toHaveLength(1);
        expect(onDlq[0]).toMatchObject({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Statistic: 'Maximum',
          Threshold: 1,
          EvaluationPeriods: 1,
        });
      } else {
        expect(onDlq).toEqual([]);
      }
    },
  );

  it('each queue consumer function alarms on its first error', () => {
    const functions = resources('AWS::Lambda::EventSourceMapping').map(
      ([, r]) => (r.Properties['FunctionName'] as { Ref: string }).Ref,
    );
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(alarmOn('Errors', 'FunctionName', fn)).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Threshold: 1,
      });
    }
  });

  it('the HTTP API alarms on repeated 5xx answers', () => {
    const [apiId] = resources('AWS::ApiGatewayV2::Api').find(
      ([, r]) => r.Properties['ProtocolType'] === 'HTTP',
    )!;
    expect(alarmOn('5xx', 'ApiId', apiId)).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Sum',
      Threshold: API_SERVER_ERRORS_ALARM,
    });
  });

  it("session host counters alarm on any occurrence, with the hosts' own namespace and dimensions", () => {
    // Names the host really writes (a renamed counter would leave its alarm silent forever).
    expect(Object.values(METRIC)).toEqual(expect.arrayContaining(Object.keys(HOST_COUNTER_ALARMS)));
    for (const metricName of Object.keys(HOST_COUNTER_ALARMS)) {
      const found = alarms().filter(
        (a) => a.MetricName === metricName && a.Namespace === SESSIONS_PER_HOST_METRIC.namespace,
      );
      expect(found, metricName).toHaveLength(1);
      expect(found[0]).toMatchObject({ Statistic: 'Sum', Threshold: 1 });
      // The same dimensions the scaling metric uses: what the host's Powertools Metrics writes.
      expect(found[0]!.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'service', Value: 'wa-platform' },
          { Name: 'host', Value: SESSIONS_PER_HOST_METRIC.hostDimension },
        ]),
      );
    }
  });

  it('session host memory near the task limit alarms', () => {
    const memory = alarms().filter((a) => a.MetricName === 'MemoryUtilization' && a.Namespace === 'AWS/ECS');
    expect(memory).toHaveLength(1);
    expect(memory[0]).toMatchObject({
      Statistic: 'Average',
      Threshold: HOST_MEMORY_ALARM_PERCENT,
      EvaluationPeriods: 3,
    });
  });
});
