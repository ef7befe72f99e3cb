/**
 * The stack's code paths the current definitions do not use yet: routes behind the Lambda authorizer, queues
 * with a consumer, the host command queue grants, and a throw-away (retainData=false) stack. Built once, with
 * the cdk-nag plugin registered exactly as `infra/app.ts` does, so synthesis itself fails on any finding.
 */
import { Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOST_QUEUE_OWNER_ACTIONS, HOST_QUEUE_SENDER_ACTIONS } from '../../infra/constructs/messaging.js';
import { acknowledgeWildcardResource } from '../../infra/nag.js';
import type { PlatformStack } from '../../infra/platform-stack.js';
import { HTTP_ROUTES, QUEUES, type QueueDefinition, type QueueName } from '../../shared/definitions/index.js';
import { TEST_PREFIX, buildStack, nagFindings } from './support.js';

const queues: Record<QueueName, QueueDefinition> = {
  ...QUEUES,
  webhookFanout: {
    ...QUEUES.webhookFanout,
    consumer: {
      entry: 'functions/workers/test-fanout',
      handler: 'handler',
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: 3,
    },
  },
};
const httpRoutes = [
  ...HTTP_ROUTES,
  {
    routeKey: 'GET /v1/probe/protected',
    entry: 'functions/http/test-sessions',
    handler: 'handler',
    auth: 'apiKey' as const,
  },
  {
    routeKey: 'POST /v1/probe/operator',
    entry: 'functions/http/test-tenants',
    handler: 'handler',
    auth: 'operator' as const,
  },
];

let template: Template;
let stack: PlatformStack;

beforeAll(() => {
  ({ template, stack } = buildStack({ retainData: false, definitions: { queues, httpRoutes } }, (s) => {
    const host = new iam.Role(s, 'ProbeHostRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    s.messaging.grantHostQueueFamily(host);
    const sender = new iam.Role(s, 'ProbeSenderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    s.messaging.grantHostQueueSend(sender);
    for (const role of [host, sender]) {
      acknowledgeWildcardResource(
        role,
        s.messaging.hostQueueArnPattern(),
        'Host queues are created at run time.',
      );
    }
    Validations.of(s.node.root).addPlugins(new AwsSolutionsChecks(s.node.root));
  }));
});

describe('authorizer', () => {
  it('is one Lambda request authorizer with simple responses, on the Authorization header', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerPayloadFormatVersion: '2.0',
    });
  });

  it('guards apiKey and operator routes, and only those', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    for (const route of httpRoutes) {
      const found = routes.find(
        (r) => r['Properties']['RouteKey'] === route.routeKey && r['Properties']['AuthorizerId'],
      );
      expect(Boolean(found), route.routeKey).toBe(route.auth !== 'none');
    }
  });

  it('may read the api keys table', () => {
    const role = stack.controlPlane.authorizerFunction?.role;
    const roleRef = stack.resolve(role?.roleName) as { Ref: string };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [roleRef],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['dynamodb:GetItem']) })]),
      },
    });
  });
});

describe('queue consumers', () => {
  it('get an SQS event source mapping with the definition batch size and partial batch responses', () => {
    // The fixture fan-out consumer plus the real delivery and realtime-push workers of the shared definitions.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', Object.keys(QUEUES).length);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: stack.resolve(stack.messaging.queues.webhookFanout.queueArn),
    });
  });

  it("cap their concurrent batches at the definition's maxConcurrency, and leave Lambda's scaling alone without one", () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(stack.messaging.queues.webhookFanout.queueArn),
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(stack.messaging.queues.webhookDelivery.queueArn),
      ScalingConfig: Match.absent(),
    });
  });

  it('time out well within the queue visibility timeout', () => {
    const fn = stack.messaging.consumers.webhookFanout?.fn;
    expect(fn).toBeDefined();
    expect(fn?.timeout?.toSeconds()).toBeLessThanOrEqual(QUEUES.webhookFanout.visibilityTimeoutSeconds / 6);
  });
});

describe('host command queues', () => {
  const familyArn = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':sqs:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${TEST_PREFIX}host-*`,
      ],
    ],
  };

  it('a host may create, use and delete only its own family of queues', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: [...HOST_QUEUE_OWNER_ACTIONS].sort(), Resource: familyArn }],
      },
    });
  });

  it('a sender may only send', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: [...HOST_QUEUE_SENDER_ACTIONS].sort(), Resource: familyArn }],
      },
    });
  });
});

describe('throw-away stack', () => {
  it('drops deletion protection and the Retain policies', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' }))).toEqual(
      [],
    );
  });
});

describe('cdk-nag', () => {
  it('passes on the variant stack as well', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});
