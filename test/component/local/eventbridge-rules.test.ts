/** A subscriber's own rule on the bus, added with the real SDK, receives only its tenant's events. */
import { randomBytes } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEventBridge, startLocalEventBridge } from '../../../local/eventbridge.js';
import { type RunningFauxqs, startFauxqsServer } from '../../../local/fauxqs.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';

describe('local EventBridge: rules added at run time', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let bus: RunningEventBridge;
  let events: EventBridgeClient;
  let queueUrl: string;
  let queueArn: string;
  const busName = `t${randomBytes(3).toString('hex')}-events`;

  beforeAll(async () => {
    fauxqs = await startFauxqsServer();
    const aws = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    sqs = new SQSClient({ ...aws, endpoint: fauxqs.endpoint });
    const created = await sqs.send(new CreateQueueCommand({ QueueName: `${busName}-tenant-a` }));
    queueUrl = created.QueueUrl!;
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    queueArn = attributes.Attributes!.QueueArn!;
    bus = await startLocalEventBridge({ sqs, busName, queueUrl: () => undefined, rules: [], log: silentLog });
    events = new EventBridgeClient({ ...aws, endpoint: bus.endpoint });
  });
  afterAll(async () => {
    events?.destroy();
    await bus?.stop();
    sqs?.destroy();
    await fauxqs?.stop();
  });

  const put = (tenantId: string, n: number) =>
    events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'wa-platform',
            DetailType: 'message.received',
            Detail: JSON.stringify({ tenantId, n }),
          },
        ],
      }),
    );

  it('delivers matching events to the rule’s SQS target and nothing else', async () => {
    const rule = await events.send(
      new PutRuleCommand({
        Name: 'tenant-a-events',
        EventBusName: busName,
        EventPattern: JSON.stringify({ source: ['wa-platform'], detail: { tenantId: ['tenant-a'] } }),
      }),
    );
    expect(rule.RuleArn).toContain(`rule/${busName}/tenant-a-events`);
    const targets = await events.send(
      new PutTargetsCommand({
        Rule: 'tenant-a-events',
        EventBusName: busName,
        Targets: [{ Id: 'q', Arn: queueArn }],
      }),
    );
    expect(targets.FailedEntryCount).toBe(0);

    await put('tenant-b', 1);
    await put('tenant-a', 2);
    await bus.drain();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const details = Messages.map(
      (m) => (JSON.parse(m.Body!) as { detail: { tenantId: string; n: number } }).detail,
    );
    expect(details).toEqual([{ tenantId: 'tenant-a', n: 2 }]);
  });

  it('refuses a non-SQS target, a malformed pattern, an unknown rule and another bus like AWS', async () => {
    const lambdaTarget = await events.send(
      new PutTargetsCommand({
        Rule: 'tenant-a-events',
        EventBusName: busName,
        Targets: [{ Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:x' }],
      }),
    );
    expect(lambdaTarget.FailedEntries?.[0]?.ErrorCode).toBe('ValidationException');
    await expect(
      events.send(new PutRuleCommand({ Name: 'bad', EventBusName: busName, EventPattern: '{not json' })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(
      events.send(
        new PutTargetsCommand({ Rule: 'nope', EventBusName: busName, Targets: [{ Id: 'q', Arn: queueArn }] }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      events.send(new PutRuleCommand({ Name: 'x', EventBusName: 'other-bus', EventPattern: '{}' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('stops delivering once the target is removed, and deletes the rule only without targets', async () => {
    await expect(
      events.send(new DeleteRuleCommand({ Name: 'tenant-a-events', EventBusName: busName })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await events.send(
      new RemoveTargetsCommand({ Rule: 'tenant-a-events', EventBusName: busName, Ids: ['q'] }),
    );
    await events.send(new DeleteRuleCommand({ Name: 'tenant-a-events', EventBusName: busName }));
    await put('tenant-a', 3);
    await bus.drain();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(0);
  });
});
