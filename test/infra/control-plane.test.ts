import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ROUTES, WS_ROUTES } from '../../shared/definitions/index.js';
import { mediaObjectKey } from '../../shared/domain/media.js';
import { AppFunction } from '../../infra/constructs/app-function.js';
import type { PlatformStack } from '../../infra/platform-stack.js';
import { buildStack } from './support.js';

let template: Template;
let stack: PlatformStack;
let assemblyDir: string;

type Resource = { Properties: Record<string, unknown> };

function functionFor(kind: 'http' | 'ws', routeKey: string): Resource {
  const map = kind === 'http' ? stack.controlPlane.httpFunctions : stack.controlPlane.wsFunctions;
  const fn = map.get(routeKey);
  expect(fn, routeKey).toBeDefined();
  const logicalId = stack.resolve((fn?.fn.node.defaultChild as CfnElement).logicalId) as string;
  return template.toJSON()['Resources'][logicalId] as Resource;
}

function policyStatementsOf(kind: 'http' | 'ws', routeKey: string): Record<string, unknown>[] {
  const role = (kind === 'http' ? stack.controlPlane.httpFunctions : stack.controlPlane.wsFunctions).get(
    routeKey,
  )?.role;
  const roleId = stack.resolve(role?.roleName) as { Ref: string };
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p['Properties']['Roles']).includes(`"${roleId.Ref}"`),
  );
  return policies.flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]);
}

function dynamoActions(statements: Record<string, unknown>[]): string[] {
  return statements.flatMap((s) => [s['Action']].flat().map(String)).filter((a) => a.startsWith('dynamodb:'));
}

/** Logical table names a set of statements reaches (from `Storage<name>Table...` logical ids). */
function tablesIn(statements: Record<string, unknown>[]): string[] {
  const dynamo = statements.filter((s) =>
    [s['Action']].flat().some((a) => String(a).startsWith('dynamodb:')),
  );
  const ids = new Set(JSON.stringify(dynamo).match(/Storage\w+Table\w+/g));
  return [...new Set([...ids].map((t) => t.replace(/^Storage(\w+?)Table.*$/, '$1')))].sort();
}

/** Statements of a route's role on one bucket (`Credentials` or `Media`: `Storage<Name><hash>` logical ids). */
function onBucket(routeKey: string, bucket: 'Credentials' | 'Media'): Record<string, unknown>[] {
  const id = new RegExp(`"Storage${bucket}[0-9A-F]{8}"`);
  return policyStatementsOf('http', routeKey).filter((s) => id.test(JSON.stringify(s['Resource'])));
}

function s3Actions(statements: Record<string, unknown>[]): string[] {
  return statements
    .flatMap((s) => [s['Action']].flat().map(String))
    .filter((a) => a.startsWith('s3:'))
    .sort();
}

// Bundling ~40 functions (one esbuild process each) takes ~1-2 minutes on 2 busy cores: more than the default hook
// timeout when other work shares the machine.
beforeAll(() => {
  const built = buildStack({}, undefined, { bundle: true });
  ({ template, stack } = built);
  assemblyDir = built.app.outdir;
}, 300_000);

describe('HTTP API', () => {
  it('has exactly the routes of HTTP_ROUTES', () => {
    const apiId = Object.keys(
      template.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'HTTP' } }),
    );
    expect(apiId).toHaveLength(1);
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((r) => JSON.stringify(r['Properties']['ApiId']) === JSON.stringify({ Ref: apiId[0] }))
      .map((r) => r['Properties']['RouteKey'] as string);
    expect(routeKeys.sort()).toEqual(HTTP_ROUTES.map((r) => r.routeKey).sort());
  });

  it('puts the Lambda authorizer (simple responses, Authorization header, no caching) on every protected route', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    for (const route of HTTP_ROUTES) {
      const found = routes.find((r) => r['Properties']['RouteKey'] === route.routeKey);
      expect(found?.['Properties']['AuthorizationType'] ?? 'NONE', route.routeKey).toBe(
        route.auth === 'none' ? 'NONE' : 'CUSTOM',
      );
    }
  });

  it.each(HTTP_ROUTES.map((r) => r.routeKey))('%s runs on nodejs24.x, arm64, ESM bundle', (routeKey) => {
    const fn = functionFor('http', routeKey);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  it('functions carry the APP_* configuration and Powertools settings', () => {
    const env = (
      functionFor('http', 'GET /v1/health').Properties['Environment'] as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'APP_RESOURCE_PREFIX',
        'APP_CREDENTIALS_BUCKET',
        'APP_MEDIA_BUCKET',
        'APP_KMS_KEY_ID',
        'APP_WS_CALLBACK_URL',
        'APP_SERVICE_NAME',
        'APP_VERSION',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_LOG_LEVEL',
      ]),
    );
    expect(env['APP_LOCAL_MODE']).toBeUndefined();
    expect(env['APP_LOCAL_MASTER_KEY']).toBeUndefined();
  });

  it('health may write its own logs and nothing else', () => {
    const statements = policyStatementsOf('http', 'GET /v1/health');
    expect(statements.flatMap((s) => [s['Action']].flat())).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('the authorizer reads API keys and may only update them (lastUsedAt), nothing else', () => {
    const role = stack.controlPlane.authorizerFunction?.role;
    const roleId = stack.resolve(role?.roleName) as { Ref: string };
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p['Properties']['Roles']).includes(`"${roleId.Ref}"`))
      .flatMap((p) => p['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]);
    expect(tablesIn(statements)).toEqual(['apiKeys']);
    const writes = dynamoActions(statements).filter((a) => /Put|Delete|BatchWrite|Update/.test(a));
    expect(writes).toEqual(['dynamodb:UpdateItem']);
  });

  it('GET /v1/sessions reads sessions and cannot write them', () => {
    const statements = policyStatementsOf('http', 'GET /v1/sessions');
    const onSessions = statements.filter((s) => /StoragesessionsTable/.test(JSON.stringify(s['Resource'])));
    expect(onSessions.length).toBeGreaterThan(0);
    const actions = dynamoActions(onSessions);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /Put|Delete|BatchWrite|Update/.test(a))).toEqual([]);
    // Only the tenant guard's tables besides its own.
    expect(tablesIn(statements)).toEqual(['rateLimits', 'sessions', 'tenants']);
    expect(JSON.stringify(statements)).not.toContain('sqs:');
    expect(JSON.stringify(statements)).not.toContain('s3:');
  });

  it('the send function may ring host queues (GetQueueUrl + SendMessage on host-* only) and write messages', () => {
    const statements = policyStatementsOf('http', 'POST /v1/sessions/{sessionId}/messages');
    const sqs = statements.filter((s) => [s['Action']].flat().some((a) => String(a).startsWith('sqs:')));
    expect(sqs.flatMap((s) => [s['Action']].flat()).sort()).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(JSON.stringify(sqs.map((s) => s['Resource']))).toContain(':wa-test-host-*');
    expect(tablesIn(statements)).toEqual([
      'chats',
      'idempotency',
      'messages',
      'rateLimits',
      'sessions',
      'tenants',
    ]);
    const onSessions = statements.filter((s) => /StoragesessionsTable/.test(JSON.stringify(s['Resource'])));
    expect(dynamoActions(onSessions)).toContain('dynamodb:GetItem');
    expect(dynamoActions(onSessions).filter((a) => /Put|Delete|BatchWrite|Update/.test(a))).toEqual([]);
  });

  it('mark-read may put events on the bus only, ring host queues, write messages and chats, read groups, not write sessions', () => {
    const statements = policyStatementsOf('http', 'POST /v1/sessions/{sessionId}/chats/{chatId}/read');
    const events = statements.filter((s) =>
      [s['Action']].flat().some((a) => String(a).startsWith('events:')),
    );
    expect(events.flatMap((s) => [s['Action']].flat())).toEqual(['events:PutEvents']);
    expect(JSON.stringify(events.map((s) => s['Resource']))).toMatch(
      /^\[\{"Fn::GetAtt":\["MessagingBus\w+","Arn"\]\}\]$/,
    );
    const sqs = statements.filter((s) => [s['Action']].flat().some((a) => String(a).startsWith('sqs:')));
    expect(sqs.flatMap((s) => [s['Action']].flat()).sort()).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(tablesIn(statements)).toEqual([
      'chats',
      'groups',
      'messages',
      'rateLimits',
      'sessions',
      'tenants',
    ]);
    const onGroups = statements.filter((s) => /StoragegroupsTable/.test(JSON.stringify(s['Resource'])));
    expect(onGroups.length).toBeGreaterThan(0);
    expect(dynamoActions(onGroups).filter((a) => /Put|Delete|BatchWrite|Update/.test(a))).toEqual([]);
    const onSessions = statements.filter((s) => /StoragesessionsTable/.test(JSON.stringify(s['Resource'])));
    expect(dynamoActions(onSessions).filter((a) => /Put|Delete|BatchWrite|Update/.test(a))).toEqual([]);
  });

  it('only session delete and logout may touch credentials objects, only the media routes and session delete media, with explicit S3 actions', () => {
    for (const route of HTTP_ROUTES) {
      const all = s3Actions(policyStatementsOf('http', route.routeKey));
      const credentials = s3Actions(onBucket(route.routeKey, 'Credentials'));
      const media = s3Actions(onBucket(route.routeKey, 'Media'));
      expect(credentials, route.routeKey).toEqual(
        route.access?.blobs === undefined
          ? []
          : route.access.blobs === 'read'
            ? ['s3:GetObject', 's3:ListBucket']
            : ['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
      );
      expect(media, route.routeKey).toEqual(
        {
          none: [],
          read: ['s3:GetObject', 's3:ListBucket'],
          write: ['s3:PutObject'],
          delete: ['s3:DeleteObject'],
        }[route.access?.media ?? 'none'],
      );
      // No S3 action on any other bucket.
      expect(all, route.routeKey).toEqual([...credentials, ...media].sort());
    }
  });

  it('the media upload function can put media objects and not read them; download reads and cannot write', () => {
    const upload = onBucket('POST /v1/media', 'Media');
    expect(s3Actions(upload)).toEqual(['s3:PutObject']);
    const download = onBucket('GET /v1/media/{mediaId}', 'Media');
    expect(s3Actions(download)).toEqual(['s3:GetObject', 's3:ListBucket']);
    // Object statements cover the media/ prefix only, where mediaObjectKey puts every object.
    expect(mediaObjectKey('T', 'M').startsWith('media/')).toBe(true);
    for (const statement of [...upload, ...download]) {
      const actions = [statement['Action']].flat();
      if (actions.includes('s3:ListBucket')) continue;
      expect(JSON.stringify(statement['Resource'])).toContain('"/media/*"');
    }
    for (const routeKey of ['POST /v1/media', 'GET /v1/media/{mediaId}']) {
      expect(s3Actions(onBucket(routeKey, 'Credentials')), routeKey).toEqual([]);
      // Both use the data key: upload to seal (GenerateDataKey), download to open (Decrypt).
      const kms = policyStatementsOf('http', routeKey).flatMap((s) => [s['Action']].flat().map(String));
      expect(kms, routeKey).toContain(routeKey.startsWith('POST') ? 'kms:GenerateDataKey' : 'kms:Decrypt');
    }
  });

  it('only the tenant update (suspend) may close WebSockets among HTTP routes: ManageConnections on this API, its connections by tenant', () => {
    const wsApiId = stack.resolve(stack.controlPlane.webSocketApi.apiId) as { Ref: string };
    for (const route of HTTP_ROUTES) {
      const statements = policyStatementsOf('http', route.routeKey);
      const manage = statements.find((s) => s['Action'] === 'execute-api:ManageConnections');
      if (route.routeKey !== 'PATCH /v1/tenants/{tenantId}') {
        expect(manage, route.routeKey).toBeUndefined();
        continue;
      }
      expect(JSON.stringify(manage?.['Resource'])).toContain(`"Ref":"${wsApiId.Ref}"`);
      expect(tablesIn(statements)).toEqual(['tenants', 'wsConnections']);
    }
  });

  it("routes that wait on a host get a longer timeout than the 10 s default, below API Gateway's 30 s", () => {
    expect(functionFor('http', 'POST /v1/sessions/{sessionId}/pairing-code').Properties['Timeout']).toBe(28);
    expect(functionFor('http', 'GET /v1/sessions').Properties['Timeout']).toBe(10);
  });

  it('the $default stage is throttled and access-logged', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });
});

describe('WebSocket API', () => {
  it('has the $connect, $disconnect and $default routes of WS_ROUTES', () => {
    const apiId = Object.keys(
      template.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'WEBSOCKET' } }),
    );
    expect(apiId).toHaveLength(1);
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((r) => JSON.stringify(r['Properties']['ApiId']) === JSON.stringify({ Ref: apiId[0] }))
      .map((r) => r['Properties']['RouteKey'] as string);
    expect(routeKeys.sort()).toEqual(WS_ROUTES.map((r) => r.routeKey).sort());
  });

  it('two-way routes get a route response', () => {
    const twoWay = WS_ROUTES.filter((r) => r.returnResponse);
    template.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', twoWay.length);
  });

  it('the stage is throttled and access-logged', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'v1',
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('connectionId') },
    });
  });

  it.each(WS_ROUTES.map((r) => r.routeKey))(
    '%s: nodejs24.x, ManageConnections on this API only, wsConnections/wsTickets (+ tenants/sessions read on $connect) only',
    (routeKey) => {
      expect(functionFor('ws', routeKey).Properties['Runtime']).toBe('nodejs24.x');
      const statements = policyStatementsOf('ws', routeKey);
      const manage = statements.find((s) => s['Action'] === 'execute-api:ManageConnections');
      const wsApiId = stack.resolve(stack.controlPlane.webSocketApi.apiId) as { Ref: string };
      expect(JSON.stringify(manage?.['Resource'])).toContain(`"Ref":"${wsApiId.Ref}"`);
      expect(JSON.stringify(manage?.['Resource'])).toContain('/v1/*/@connections/*');

      const dynamo = statements.filter((s) =>
        [s['Action']].flat().some((a) => String(a).startsWith('dynamodb:')),
      );
      const tables = new Set(JSON.stringify(dynamo).match(/Storage\w+Table\w+/g));
      expect([...tables].map((t) => t.replace(/^Storage(\w+?)Table.*$/, '$1')).sort()).toEqual(
        routeKey === '$connect'
          ? ['sessions', 'tenants', 'wsConnections', 'wsTickets']
          : ['wsConnections', 'wsTickets'],
      );
      // The admission reads only: no write action on tenants or sessions.
      const writes = dynamo.filter((s) =>
        [s['Action']].flat().some((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(String(a))),
      );
      expect(JSON.stringify(writes)).not.toMatch(/Storage(tenants|sessions)Table/);
    },
  );
});

describe('outputs', () => {
  it('exposes the API URLs, the callback URL, bucket and bus names', () => {
    const outputs = Object.keys(template.toJSON()['Outputs'] as Record<string, unknown>);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'HttpApiUrl',
        'WebSocketUrl',
        'WebSocketCallbackUrl',
        'CredentialsBucketName',
        'MediaBucketName',
        'EventBusName',
      ]),
    );
  });
});

describe('Lambda bundles', () => {
  /** Each AppFunction's bundled `index.mjs`, read from the asset CDK staged for it. */
  function bundles(): { id: string; code: string }[] {
    const functions = stack.node.findAll().filter((c): c is AppFunction => c instanceof AppFunction);
    const resources = template.toJSON()['Resources'] as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    return functions.map((f) => {
      const logicalId = stack.resolve((f.fn.node.defaultChild as CfnElement).logicalId) as string;
      const { S3Key } = resources[logicalId]?.Properties['Code'] as { S3Key: string };
      const asset = path.join(assemblyDir, `asset.${S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      return { id: f.node.path, code: readFileSync(asset, 'utf8') };
    });
  }

  it('every function is under 300 KB, with the AWS SDK imported from the runtime, not bundled', () => {
    const all = bundles();
    // The authorizer, every HTTP and WebSocket route and every queue consumer.
    expect(all.length).toBeGreaterThan(30);
    for (const { id, code } of all) {
      expect(Buffer.byteLength(code), id).toBeLessThan(300 * 1024);
      // A header name of the SDK's own middleware: present whenever the SDK's code is in the bundle.
      expect(code, id).not.toContain('x-amz-user-agent');
    }
    const sdkImports = all.flatMap(({ code }) => code.match(/from\s*"@aws-sdk\/[a-z-]+"/g) ?? []);
    expect(sdkImports).toContainEqual(expect.stringContaining('@aws-sdk/client-dynamodb'));
  });
});
