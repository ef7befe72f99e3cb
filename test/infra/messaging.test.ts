import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_RULES,
  QUEUE_NAMES,
  QUEUES,
  TABLE_NAMES,
  deadLetterQueueName,
  eventBusName,
  physicalQueueName,
  type QueueName,
  type TableName,
} from '../../shared/definitions/index.js';
import { WS_STAGE_NAME } from '../../infra/constructs/control-plane.js';
import type { PlatformStack } from '../../infra/platform-stack.js';
import { TEST_PREFIX, buildStack } from './support.js';

let template: Template;
let stack: PlatformStack;

/** Logical id of the one resource of `type` whose properties contain `props` (fails loudly otherwise). */
function logicalIdOf(type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0] ?? '';
}

beforeAll(() => {
  ({ template, stack } = buildStack());
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

  it('each queue with a consumer gets one event source mapping with partial batch responses', () => {
    const consumers = QUEUE_NAMES.filter((name) => QUEUES[name].consumer !== undefined);
    expect(consumers).toEqual(['webhookFanout', 'webhookDelivery', 'realtimePush', 'poolFailover']);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
    for (const name of consumers) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: QUEUES[name].consumer?.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        EventSourceArn: stack.resolve(stack.messaging.queues[name].queueArn),
      });
    }
  });
});

describe('webhook workers (least privilege)', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
  const statementsOf = (name: QueueName): Statement[] => {
    const role = stack.messaging.consumers[name]?.role;
    const roleRef = stack.resolve(role?.roleName) as { Ref: string };
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p['Properties']['Roles']) === JSON.stringify([roleRef]))
      .flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Statement[]);
  };
  const actionsOn = (statements: Statement[], resource: unknown): string[] =>
    statements
      .filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  const tableArn = (table: TableName) => stack.resolve(stack.storage.tables[table].tableArn);

  it('fan-out reads subscriptions, writes deliveries, sends to the delivery queue, and nothing else', () => {
    const statements = statementsOf('webhookFanout');
    expect(actionsOn(statements, tableArn('webhooks'))).toContain('dynamodb:Query');
    expect(actionsOn(statements, tableArn('webhooks'))).not.toContain('dynamodb:PutItem');
    expect(actionsOn(statements, tableArn('deliveries'))).toContain('dynamodb:PutItem');
    expect(actionsOn(statements, stack.resolve(stack.messaging.queues.webhookDelivery.queueArn))).toContain(
      'sqs:SendMessage',
    );
    expect(actionsOn(statements, tableArn('sessions'))).toEqual([]);
    expect(actionsOn(statements, tableArn('apiKeys'))).toEqual([]);
  });

  it('delivery reads and updates subscriptions and deliveries, consumes its queue, sends nowhere', () => {
    const statements = statementsOf('webhookDelivery');
    expect(actionsOn(statements, tableArn('webhooks'))).toContain('dynamodb:UpdateItem');
    expect(actionsOn(statements, tableArn('deliveries'))).toContain('dynamodb:UpdateItem');
    const own = actionsOn(statements, stack.resolve(stack.messaging.queues.webhookDelivery.queueArn));
    expect(own).toEqual(expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']));
    expect(own).not.toContain('sqs:SendMessage');
    expect(actionsOn(statements, tableArn('sessions'))).toEqual([]);
  });

  it('the pool failover worker: its tables, its own queue, the bus and the host queues, and nothing else', () => {
    const statements = statementsOf('poolFailover');
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const table of [
      'pools',
      'poolAssignments',
      'messages',
      'chats',
      'idempotency',
      'rateLimits',
    ] as const)
      expect(actionsOn(statements, tableArn(table)), table).toContain('dynamodb:UpdateItem');
    for (const table of ['tenants', 'sessions'] as const) {
      expect(actionsOn(statements, tableArn(table)), table).toContain('dynamodb:GetItem');
      expect(actionsOn(statements, tableArn(table)), table).not.toContain('dynamodb:PutItem');
    }
    for (const table of ['apiKeys', 'webhooks', 'deliveries', 'wsConnections'] as const)
      expect(actionsOn(statements, tableArn(table)), table).toEqual([]);
    expect(actionsOn(statements, stack.resolve(stack.messaging.queues.poolFailover.queueArn))).toContain(
      'sqs:SendMessage',
    );
    expect(actionsOn(statements, stack.resolve(stack.messaging.queues.webhookDelivery.queueArn))).toEqual([]);
    expect(actionsOn(statements, stack.resolve(stack.messaging.bus.eventBusArn))).toContain(
      'events:PutEvents',
    );
    expect(JSON.stringify(statements)).toContain('host-*');
    expect(actions).not.toContain('execute-api:ManageConnections');
  });

  it('neither webhook worker may post to browser WebSockets', () => {
    for (const name of ['webhookFanout', 'webhookDelivery'] as const) {
      const actions = statementsOf(name).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(actions, name).not.toContain('execute-api:ManageConnections');
    }
  });

  it('the realtime worker: ManageConnections on this WebSocket stage only, wsConnections read/write, nothing else', () => {
    const statements = statementsOf('realtimePush');
    const manage = statements.filter((s) => JSON.stringify(s.Action).includes('execute-api:'));
    expect(manage).toHaveLength(1);
    expect(manage[0]?.Action).toBe('execute-api:ManageConnections');
    const wsApiId = stack.resolve(stack.controlPlane.webSocketApi.apiId) as { Ref: string };
    const resource = JSON.stringify(manage[0]?.Resource);
    expect(resource).toContain(`"Ref":"${wsApiId.Ref}"`);
    expect(resource).toContain(`/${WS_STAGE_NAME}/*/@connections/*`);

    const connections = actionsOn(statements, tableArn('wsConnections'));
    expect(connections).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:DeleteItem']));
    const indexes = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/*'));
    expect(JSON.stringify(indexes)).toContain(JSON.stringify(tableArn('wsConnections')).slice(1, -1));
    for (const table of TABLE_NAMES.filter((t) => t !== 'wsConnections')) {
      expect(actionsOn(statements, tableArn(table)), table).toEqual([]);
    }
    expect(statements.flatMap((s) => s.Action).filter((a) => String(a).startsWith('sqs:Send'))).toEqual([]);
    expect(statements.flatMap((s) => s.Action).filter((a) => String(a).startsWith('events:'))).toEqual([]);

    const fn = stack.messaging.consumers.realtimePush?.fn;
    const props = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) =>
        JSON.stringify(f['Properties']['Role']) ===
        JSON.stringify(stack.resolve(stack.messaging.consumers.realtimePush?.role.roleArn)),
    )?.['Properties'] as { Environment: { Variables: Record<string, unknown> } } | undefined;
    expect(fn).toBeDefined();
    expect(props?.Environment.Variables['APP_WS_CALLBACK_URL']).toEqual(
      stack.resolve(stack.controlPlane.webSocketStage.callbackUrl),
    );
  });
});
