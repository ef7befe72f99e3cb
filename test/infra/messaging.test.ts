import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_RULES,
  QUEUE_NAMES,
  QUEUES,
  deadLetterQueueName,
  eventBusName,
  physicalQueueName,
} from '../../shared/definitions/index.js';
import { TEST_PREFIX, buildStack } from './support.js';

let template: Template;

/** Logical id of the one resource of `type` whose properties contain `props` (fails loudly otherwise). */
function logicalIdOf(type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0] ?? '';
}

beforeAll(() => {
  ({ template } = buildStack());
});

describe('event bus', () => {
  it('is named from the shared definitions', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: eventBusName(TEST_PREFIX) });
  });

  it.each(EVENT_RULES.map((r) => [r.ruleName, r] as const))(
    'rule %s has the shared pattern and targets its queue',
    (_name, rule) => {
      const busId = logicalIdOf('AWS::Events::EventBus', { Name: eventBusName(TEST_PREFIX) });
      const queueId = logicalIdOf('AWS::SQS::Queue', {
        QueueName: physicalQueueName(TEST_PREFIX, rule.targetQueue),
      });
      const rules = Object.values(template.findResources('AWS::Events::Rule'));
      const resource = rules.find((r) => r['Properties']['Name'] === `${TEST_PREFIX}${rule.ruleName}`);
      expect(resource).toBeDefined();
      const props = resource?.['Properties'] as Record<string, unknown>;
      // Deep equality, not objectLike: the rule must match exactly what the local bus matches.
      expect(props['EventPattern']).toEqual(JSON.parse(JSON.stringify(rule.pattern)));
      expect(props['EventBusName']).toEqual({ Ref: busId });
      expect(props['Targets']).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
      ]);
    },
  );

  it('the bus may send to each rule target queue (queue policy for events.amazonaws.com)', () => {
    for (const rule of EVENT_RULES) {
      const queueId = logicalIdOf('AWS::SQS::Queue', {
        QueueName: physicalQueueName(TEST_PREFIX, rule.targetQueue),
      });
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter((p) =>
        JSON.stringify(p['Properties']['Queues']).includes(queueId),
      );
      const statements = policies.flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as unknown[]);
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: expect.arrayContaining(['sqs:SendMessage']),
          }),
        ]),
      );
    }
  });

  it('the key policy lets EventBridge encrypt into the KMS queues, for this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['kms:GenerateDataKey*']),
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

describe('queues', () => {
  it('has each queue of the definitions plus its DLQ, and nothing else', () => {
    template.resourceCountIs('AWS::SQS::Queue', QUEUE_NAMES.length * 2);
  });

  it.each(QUEUE_NAMES)('%s: DLQ with the definition maxReceiveCount, visibility timeout, KMS', (name) => {
    const def = QUEUES[name];
    const dlqId = logicalIdOf('AWS::SQS::Queue', { QueueName: deadLetterQueueName(TEST_PREFIX, name) });
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: physicalQueueName(TEST_PREFIX, name),
      VisibilityTimeout: def.visibilityTimeoutSeconds,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: def.maxReceiveCount,
      },
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: deadLetterQueueName(TEST_PREFIX, name),
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('every queue policy denies requests without TLS', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const protectedQueues = new Set(
      policies
        .filter((p) =>
          (p['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]).some(
            (s) => s['Effect'] === 'Deny' && JSON.stringify(s['Condition']).includes('aws:SecureTransport'),
          ),
        )
        .flatMap((p) => (p['Properties']['Queues'] as unknown[]).map((q) => JSON.stringify(q))),
    );
    expect(protectedQueues.size).toBe(QUEUE_NAMES.length * 2);
  });

  it('no consumer in the definitions means no event source mapping yet', () => {
    const consumers = QUEUE_NAMES.filter((name) => QUEUES[name].consumer !== undefined);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
  });
});
