/**
 * The whole platform in one stack: storage, messaging, the control plane, the session hosts, alarms and a dashboard,
 * wired with the `APP_*` configuration of `shared/config/app-config.ts`.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { AppConfig } from '../shared/config/app-config.js';
import type {
  AuthorizerDefinition,
  EventRuleDefinition,
  HttpRouteDefinition,
  QueueDefinition,
  QueueName,
  WsRouteDefinition,
} from '../shared/definitions/index.js';
import { Alarms } from './constructs/alarms.js';
import { OverviewDashboard } from './constructs/dashboard.js';
import { repositoryEntry, type EntryResolver, type FunctionSettings } from './constructs/app-function.js';
import { ControlPlane } from './constructs/control-plane.js';
import { ConsoleHosting, type ConsoleSource } from './constructs/console-hosting.js';
import { HttpApiCors, corsMethods } from './constructs/http-api-cors.js';
import { Messaging } from './constructs/messaging.js';
import { SessionHosts, type SessionHostsProps } from './constructs/session-hosts.js';
import { Storage } from './constructs/storage.js';
import { acknowledge } from './nag.js';

export interface PlatformStackProps extends StackProps {
  /** Prefix of every table, queue, bus and API name (`APP_RESOURCE_PREFIX`), e.g. `wa-prod-`. */
  readonly resourcePrefix: string;
  /** Deletion protection and RETAIN for data; turn off only for throw-away stacks. */
  readonly retainData: boolean;
  readonly manageApiGatewayAccountRole: boolean;
  readonly serviceName?: string;
  readonly version?: string;
  readonly logLevel?: string;
  /** Where handler entries live; tests substitute stand-ins for handlers that are not written yet. */
  readonly resolveEntry?: EntryResolver;
  /** Definition overrides for tests; production always builds from `shared/definitions`. */
  readonly definitions?: {
    readonly queues?: Readonly<Record<QueueName, QueueDefinition>>;
    readonly eventRules?: readonly EventRuleDefinition[];
    readonly httpRoutes?: readonly HttpRouteDefinition[];
    readonly httpAuthorizer?: AuthorizerDefinition;
    readonly wsRoutes?: readonly WsRouteDefinition[];
  };
  /** Session host sizing and image overrides (`infra/constructs/session-hosts.ts` has the defaults). */
  readonly sessionHosts?: Pick<
    SessionHostsProps,
    'image' | 'hostCapacity' | 'targetSessionsPerHost' | 'minHosts' | 'maxHosts' | 'cpu' | 'memoryLimitMiB'
  >;
  /** `build` (default) runs `vite build` for the console when assets are staged; `placeholder` skips it. */
  readonly consoleSource?: ConsoleSource;
}

type AppEnvironment = Partial<Record<keyof AppConfig, string>>;

export class PlatformStack extends Stack {
  readonly storage: Storage;
  readonly messaging: Messaging;
  readonly controlPlane: ControlPlane;
  readonly sessionHosts: SessionHosts;
  readonly alarms: Alarms;
  readonly dashboard: OverviewDashboard;
  readonly console: ConsoleHosting;
  readonly consoleCors: HttpApiCors;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const serviceName = props.serviceName ?? 'wa-platform';

    this.storage = new Storage(this, 'Storage', {
      resourcePrefix: props.resourcePrefix,
      retainData: props.retainData,
    });

    // The key that seals pagination cursors (shared/adapters/dynamodb/cursor.ts): random per deployment, never in
    // the template (a dynamic reference CloudFormation resolves into the functions' KMS-encrypted environment).
    const cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key sealing API pagination cursors (APP_CURSOR_SECRET)',
      encryptionKey: this.storage.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      cursorSecret,
      'AwsSolutions-SMG4',
      'Cursor key, not a credential: rotate it by replacing the secret and redeploying; the only effect is that ' +
        'cursors issued before answer 400 once and clients start the listing over.',
    );
    const environment: AppEnvironment = {
      APP_CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
      APP_RESOURCE_PREFIX: props.resourcePrefix,
      APP_CREDENTIALS_BUCKET: this.storage.credentialsBucket.bucketName,
      APP_MEDIA_BUCKET: this.storage.mediaBucket.bucketName,
      APP_KMS_KEY_ID: this.storage.key.keyArn,
      APP_SERVICE_NAME: serviceName,
      APP_VERSION: props.version ?? '0.1.0',
    };
    const functionSettings: FunctionSettings = {
      environment: environment as Record<string, string>,
      resolveEntry: props.resolveEntry ?? repositoryEntry,
      serviceName,
      logLevel: props.logLevel ?? 'INFO',
      logRetention: logs.RetentionDays.ONE_MONTH,
      logKey: this.storage.key,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    };

    this.messaging = new Messaging(this, 'Messaging', {
      resourcePrefix: props.resourcePrefix,
      key: this.storage.key,
      functionSettings,
      queues: props.definitions?.queues,
      eventRules: props.definitions?.eventRules,
      tables: this.storage.tables,
    });

    this.controlPlane = new ControlPlane(this, 'ControlPlane', {
      resourcePrefix: props.resourcePrefix,
      functionSettings,
      tables: this.storage.tables,
      manageApiGatewayAccountRole: props.manageApiGatewayAccountRole,
      httpRoutes: props.definitions?.httpRoutes,
      httpAuthorizer: props.definitions?.httpAuthorizer,
      wsRoutes: props.definitions?.wsRoutes,
      routeResources: {
        credentialsBucket: this.storage.credentialsBucket,
        mediaBucket: this.storage.mediaBucket,
        key: this.storage.key,
        messaging: this.messaging,
      },
    });

    this.messaging.connectWebSockets(this.controlPlane);

    this.sessionHosts = new SessionHosts(this, 'SessionHosts', {
      ...props.sessionHosts,
      resourcePrefix: props.resourcePrefix,
      // Hosts list no cursors: the cursor key stays with the functions.
      appEnvironment: {
        ...(Object.fromEntries(
          Object.entries(environment).filter(([name]) => name !== 'APP_CURSOR_SECRET'),
        ) as Record<string, string>),
        APP_WS_CALLBACK_URL: this.controlPlane.webSocketStage.callbackUrl,
      },
      serviceName,
      logLevel: functionSettings.logLevel,
      tables: this.storage.tables,
      key: this.storage.key,
      credentialsBucket: this.storage.credentialsBucket,
      mediaBucket: this.storage.mediaBucket,
      flowLogsBucket: this.storage.accessLogsBucket,
      bus: this.messaging.bus,
      messaging: this.messaging,
      controlPlane: this.controlPlane,
      logRetention: functionSettings.logRetention,
      removalPolicy: functionSettings.removalPolicy,
    });

    this.alarms = new Alarms(this, 'Alarms', {
      resourcePrefix: props.resourcePrefix,
      key: this.storage.key,
      serviceName,
      messaging: this.messaging,
      controlPlane: this.controlPlane,
      sessionHosts: this.sessionHosts,
    });

    this.dashboard = new OverviewDashboard(this, 'Overview', {
      resourcePrefix: props.resourcePrefix,
      serviceName,
      messaging: this.messaging,
      controlPlane: this.controlPlane,
      sessionHosts: this.sessionHosts,
      alarms: this.alarms,
    });

    this.console = new ConsoleHosting(this, 'Console', {
      resourcePrefix: props.resourcePrefix,
      httpApi: this.controlPlane.httpApi,
      webSocketApi: this.controlPlane.webSocketApi,
      source: props.consoleSource ?? 'build',
      accessLogsBucket: this.storage.accessLogsBucket,
      logKey: this.storage.key,
      logRetention: functionSettings.logRetention,
      removalPolicy: functionSettings.removalPolicy,
    });
    // The console's origin only, for the methods the API's routes use (see http-api-cors.ts for why not corsPreflight).
    this.consoleCors = new HttpApiCors(this, 'ConsoleCors', {
      httpApi: this.controlPlane.httpApi,
      allowOrigins: [this.console.origin],
      allowMethods: corsMethods(this.controlPlane.httpFunctions.keys()),
      logKey: this.storage.key,
      logRetention: functionSettings.logRetention,
      removalPolicy: functionSettings.removalPolicy,
    });

    new CfnOutput(this, 'HttpApiUrl', {
      value: this.controlPlane.httpStage.url,
      description: 'HTTP API base URL',
    });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.controlPlane.webSocketStage.url,
      description: 'Browser WebSocket URL (add ?ticket=...)',
    });
    new CfnOutput(this, 'WebSocketCallbackUrl', {
      value: this.controlPlane.webSocketStage.callbackUrl,
      description: '@connections management endpoint (APP_WS_CALLBACK_URL)',
    });
    new CfnOutput(this, 'CredentialsBucketName', { value: this.storage.credentialsBucket.bucketName });
    new CfnOutput(this, 'MediaBucketName', { value: this.storage.mediaBucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.messaging.bus.eventBusName });
    new CfnOutput(this, 'DataKeyArn', { value: this.storage.key.keyArn });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Every alarm notifies this SNS topic: subscribe e-mail, chat or paging to it',
    });
    new CfnOutput(this, 'SessionHostClusterName', { value: this.sessionHosts.cluster.clusterName });
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.console.url,
      description: 'The web console (CloudFront)',
    });
  }
}
