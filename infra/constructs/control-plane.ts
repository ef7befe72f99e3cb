/**
 * The serverless control plane: the HTTP API (one function per route of the shared definitions, a Lambda
 * request authorizer for routes that need one) and the WebSocket API the browser pairs through.
 */
import { createHash } from 'node:crypto';
import { Duration, NestedStack, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import {
  HTTP_AUTHORIZER,
  HTTP_ROUTES,
  WS_ROUTES,
  type AuthorizerDefinition,
  type HttpRouteDefinition,
  type TableName,
  type WsRouteDefinition,
} from '../../shared/definitions/index.js';
import { acknowledge, acknowledgeManagedPolicy, acknowledgeWildcardResource } from '../nag.js';
import { AppFunction, type FunctionSettings } from './app-function.js';
import { grantRouteAccess, grantTable, type RouteResources } from './route-access.js';

export type { RouteResources } from './route-access.js';

export interface ControlPlaneProps {
  readonly resourcePrefix: string;
  readonly functionSettings: FunctionSettings;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  /**
   * WebSocket access logs need the regional API Gateway account role (HTTP APIs do not). It is one setting per
   * account and region, so a second stack in the same region should leave it to the first.
   */
  readonly manageApiGatewayAccountRole: boolean;
  /** Defaults to the shared definitions; tests pass variants (e.g. a route behind the authorizer). */
  readonly httpRoutes?: readonly HttpRouteDefinition[];
  readonly httpAuthorizer?: AuthorizerDefinition;
  readonly wsRoutes?: readonly WsRouteDefinition[];
  /** Needed as soon as a route declares `blobs`, `media`, `hostCommands`, `eventBus` or `webhookDelivery`. */
  readonly routeResources?: RouteResources;
}

export const WS_STAGE_NAME = 'v1';
/**
 * HTTP route functions live in nested stacks: each route costs ~7 resources (function, role, policy, log group,
 * integration, permission, route) and one stack may hold 500. A route's stack is a stable hash of its route key,
 * so adding a route never moves another one (a moved route would be deleted in one stack while created in the
 * other). Four stacks hold ~280 routes.
 */
const HTTP_ROUTE_STACKS = 4;

export function httpRouteStackIndex(routeKey: string): number {
  return createHash('sha256').update(routeKey).digest()[0]! % HTTP_ROUTE_STACKS;
}

const HTTP_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 200, burstLimit: 400 };
const WS_THROTTLE: apigwv2.ThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/** One JSON object per request, so CloudWatch Logs Insights can query fields without parsing. */
function accessLogFormat(fields: Record<string, string>): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(JSON.stringify(fields));
}

const HTTP_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

const WS_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  eventType: '$context.eventType',
  connectionId: '$context.connectionId',
  status: '$context.status',
  integrationError: '$context.integrationErrorMessage',
};

/** `GET /v1/health` -> route key; `$default` is API Gateway's catch-all. */
function httpRouteKey(routeKey: string): apigwv2.HttpRouteKey {
  if (routeKey === '$default') return apigwv2.HttpRouteKey.DEFAULT;
  const [method, path, ...rest] = routeKey.split(' ');
  const httpMethod = Object.values(apigwv2.HttpMethod).find((m) => m === method);
  if (!httpMethod || !path || rest.length > 0) throw new Error(`unsupported HTTP route key: ${routeKey}`);
  return apigwv2.HttpRouteKey.with(path, httpMethod);
}

/** Construct ids from route keys: `GET /v1/sessions/{id}` -> `GetV1SessionsId`. */
function routeId(routeKey: string): string {
  const words = routeKey.toLowerCase().match(/[a-z0-9]+/g) ?? ['route'];
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export class ControlPlane extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly httpStage: apigwv2.HttpStage;
  readonly webSocketApi: apigwv2.WebSocketApi;
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly httpFunctions: ReadonlyMap<string, AppFunction>;
  readonly wsFunctions: ReadonlyMap<string, AppFunction>;
  readonly authorizerFunction: AppFunction | undefined;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const settings = props.functionSettings;

    // The WebSocket stage comes first: every function learns its @connections callback URL from it.
    this.webSocketApi = new apigwv2.WebSocketApi(this, 'WsApi', {
      apiName: `${props.resourcePrefix}ws`,
      description: 'Browser pairing: QR codes and session status pushed live',
    });
    const wsLogs = new logs.LogGroup(this, 'WsAccessLogs', {
      retention: settings.logRetention,
      encryptionKey: settings.logKey,
      removalPolicy: settings.removalPolicy,
    });
    this.webSocketStage = new apigwv2.WebSocketStage(this, 'WsStage', {
      webSocketApi: this.webSocketApi,
      stageName: WS_STAGE_NAME,
      autoDeploy: true,
      throttle: WS_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(wsLogs),
        format: accessLogFormat(WS_ACCESS_LOG_FIELDS),
      },
    });
    if (props.manageApiGatewayAccountRole) this.apiGatewayAccountRole();

    const functionSettings: FunctionSettings = {
      ...settings,
      environment: { ...settings.environment, APP_WS_CALLBACK_URL: this.webSocketStage.callbackUrl },
    };

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `${props.resourcePrefix}http`,
      description: 'WhatsApp platform HTTP API (v1)',
      createDefaultStage: false,
    });
    const httpLogs = new logs.LogGroup(this, 'HttpAccessLogs', {
      retention: settings.logRetention,
      encryptionKey: settings.logKey,
      removalPolicy: settings.removalPolicy,
    });
    this.httpStage = new apigwv2.HttpStage(this, 'HttpStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: HTTP_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(httpLogs),
        format: accessLogFormat(HTTP_ACCESS_LOG_FIELDS),
      },
    });

    const httpRoutes = props.httpRoutes ?? HTTP_ROUTES;
    let authorizer: HttpLambdaAuthorizer | undefined;
    if (httpRoutes.some((route) => route.auth !== 'none')) {
      const def = props.httpAuthorizer ?? HTTP_AUTHORIZER;
      this.authorizerFunction = new AppFunction(this, 'Authorizer', {
        settings: functionSettings,
        entry: def.entry,
        handler: def.handler,
        description: 'HTTP API request authorizer (API keys, operator key)',
      });
      // Authentication is one GetItem by key hash; the only write is the throttled `lastUsedAt` update.
      grantTable(this.authorizerFunction.role, props.tables, 'apiKeys', 'read');
      this.authorizerFunction.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:UpdateItem'],
          resources: [props.tables.apiKeys.tableArn],
        }),
      );
      authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction.fn, {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.Authorization'],
        resultsCacheTtl: Duration.seconds(def.resultTtlSeconds),
      });
    }

    const httpFunctions = new Map<string, AppFunction>();
    const routeStacks = new Map<number, NestedStack>();
    const routeScope = (routeKey: string): NestedStack => {
      const index = httpRouteStackIndex(routeKey);
      let nested = routeStacks.get(index);
      if (!nested) {
        nested = new NestedStack(this, `HttpRoutes${index}`, {
          description: `HTTP API route functions, part ${index + 1} of ${HTTP_ROUTE_STACKS}`,
        });
        routeStacks.set(index, nested);
      }
      return nested;
    };
    for (const route of httpRoutes) {
      const id = routeId(route.routeKey);
      const scope = routeScope(route.routeKey);
      const handler = new AppFunction(scope, `Http${id}`, {
        settings: functionSettings,
        entry: route.entry,
        handler: route.handler,
        description: `HTTP ${route.routeKey}`,
        ...(route.timeoutSeconds === undefined ? {} : { timeout: Duration.seconds(route.timeoutSeconds) }),
      });
      grantRouteAccess(handler.role, route, props.tables, props.routeResources);
      if (route.access?.closeWebSockets) this.grantManageConnections(handler.role);
      const httpRoute = new apigwv2.HttpRoute(scope, `Http${id}Route`, {
        httpApi: this.httpApi,
        routeKey: httpRouteKey(route.routeKey),
        integration: new HttpLambdaIntegration(`Http${id}Integration`, handler.fn),
        authorizer: route.auth === 'none' ? undefined : authorizer,
      });
      if (route.auth === 'none') {
        acknowledge(
          httpRoute,
          'AwsSolutions-APIG4',
          `${route.routeKey} is public by design (liveness, or the 404 problem answer for unknown paths).`,
        );
      }
      httpFunctions.set(route.routeKey, handler);
    }
    this.httpFunctions = httpFunctions;

    const wsFunctions = new Map<string, AppFunction>();
    for (const route of props.wsRoutes ?? WS_ROUTES) {
      const id = routeId(route.routeKey);
      const handler = new AppFunction(this, `Ws${id}`, {
        settings: functionSettings,
        entry: route.entry,
        handler: route.handler,
        description: `WebSocket ${route.routeKey}`,
      });
      // $connect checks the single-use ticket, $disconnect and $default act on the stored connection.
      grantTable(handler.role, props.tables, 'wsConnections', 'readWrite');
      grantTable(handler.role, props.tables, 'wsTickets', 'readWrite');
      if (route.routeKey === '$connect') {
        // Admission: the ticket's tenant must still be active and its session still there.
        grantTable(handler.role, props.tables, 'tenants', 'read');
        grantTable(handler.role, props.tables, 'sessions', 'read');
      }
      this.grantManageConnections(handler.role);
      const wsRoute = this.webSocketApi.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`Ws${id}Integration`, handler.fn),
        // Two-way routes send the handler's `body` back on the socket (a route response).
        returnResponse: route.returnResponse ?? false,
      });
      acknowledge(
        wsRoute,
        'AwsSolutions-APIG4',
        route.routeKey === '$connect'
          ? '$connect is authorized by the single-use ticket from POST /v1/sessions/{id}/ws-tickets, checked by the handler.'
          : 'API Gateway only runs authorizers on $connect; later frames belong to an already authorized connection.',
      );
      wsFunctions.set(route.routeKey, handler);
    }
    this.wsFunctions = wsFunctions;
  }

  /** `execute-api:ManageConnections` on this API's stage only (post, get and delete any of its connections). */
  grantManageConnections(grantee: iam.IGrantable & IConstruct): void {
    const connectionsArn = Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.webSocketApi.apiId,
      resourceName: `${WS_STAGE_NAME}/*/@connections/*`,
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:ManageConnections'],
      resourceArns: [connectionsArn],
    });
    acknowledgeWildcardResource(
      grantee,
      connectionsArn,
      'Connection ids are only known at run time; the ARN is pinned to this API and stage, any method.',
    );
  }

  private apiGatewayAccountRole(): void {
    const pushToLogs = iam.ManagedPolicy.fromAwsManagedPolicyName(
      'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    const role = new iam.Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [pushToLogs],
    });
    acknowledgeManagedPolicy(
      role,
      pushToLogs,
      'API Gateway account-level logging role; the AWS managed policy is the documented way to let the service write the WebSocket access logs.',
    );
    const account = new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    // The stage refuses access logging until the account has its logging role.
    this.webSocketStage.node.addDependency(account);
  }
}
