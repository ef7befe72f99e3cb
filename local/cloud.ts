/**
 * The whole local cloud in one call, for `npm start` and for tests: DynamoDB Local with the app's tables,
 * fauxqs (queues with DLQs, the two buckets), the KMS stand-in, the local EventBridge with the shared rules,
 * an event source mapping per queue with a consumer, and the HTTP and WebSocket gateways. Everything is built
 * from `shared/definitions`, the same lists CDK deploys. Ports default to 0 (tests run side by side).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { eventBusName, EVENT_RULES, type EventRuleDefinition } from '../shared/definitions/event-rules.js';
import type { AuthorizerDefinition, HttpRouteDefinition } from '../shared/definitions/http-routes.js';
import { QUEUES, type QueueDefinition } from '../shared/definitions/queues.js';
import type { WsRouteDefinition } from '../shared/definitions/ws-routes.js';
import { createTables } from './create-tables.js';
import { startDynamoDbLocal } from './dynamodb.js';
import {
  DEFAULT_CONCURRENT_BATCHES,
  startEventSourceMapping,
  type RunningEventSourceMapping,
} from './event-source-mapping.js';
import { startLocalEventBridge } from './eventbridge.js';
import { startFauxqsServer } from './fauxqs.js';
import { DEFAULT_ROOT, startHttpGateway } from './http-gateway.js';
import { startKmsStandIn } from './kms.js';
import { lazyFunction } from './lambda-runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws.js';
import { consoleLog, type LocalLog } from './log.js';
import { createQueues, type CreatedQueue } from './queues.js';
import { createConsoleHandler } from './web-server.js';
import { startWsGateway } from './ws-gateway.js';

export interface LocalCloudPorts {
  readonly http?: number;
  readonly ws?: number;
  readonly dynamodb?: number;
  /** fauxqs: SQS and S3 on one port. */
  readonly fauxqs?: number;
  readonly eventbridge?: number;
  readonly kms?: number;
}

export interface LocalCloudOptions {
  readonly root?: string;
  /** Resource prefix (tables, queues, bus, buckets); default a fresh `l<hex>-` so stacks never collide. */
  readonly prefix?: string;
  readonly ports?: LocalCloudPorts;
  /** Where to write the endpoints; `false` to skip. Default `<root>/.local/stack.json`. */
  readonly stackFile?: string | false;
  /** Set the handlers' environment (`APP_*`, `AWS_*`) on this process; restored by stop(). Default true. */
  readonly setEnv?: boolean;
  /**
   * Run the queue consumers (webhook fan-out and delivery, realtime push) in this process. Default: as `setEnv`,
   * since they read their configuration from `process.env`: without it every batch fails its config check and is
   * retried forever (CPU and log noise in host tests and benchmarks that never look at webhooks).
   */
  readonly consumers?: boolean;
  readonly routes?: readonly HttpRouteDefinition[];
  readonly authorizer?: AuthorizerDefinition | null;
  readonly wsRoutes?: readonly WsRouteDefinition[];
  readonly queues?: readonly QueueDefinition[];
  readonly rules?: readonly EventRuleDefinition[];
  readonly log?: LocalLog;
  /**
   * Serve the browser console (`web/`, built with Vite on first request) at `<httpUrl>/console/`. Default true;
   * `'watch'` builds at once and rebuilds on every change under `web/` (`npm start`).
   */
  readonly console?: boolean | 'watch';
  /** Extra handler environment (e.g. `APP_OPERATOR_KEY_HASH`), added to what the cloud sets itself. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface LocalQueueEndpoints {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** The content of `.local/stack.json`. */
export interface LocalStack {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly connectionsUrl: string;
  readonly dynamodb: string;
  readonly sqs: string;
  readonly s3: string;
  readonly eventbridge: string;
  readonly kms: string;
  readonly kmsKeyId: string;
  readonly region: string;
  readonly prefix: string;
  readonly eventBusName: string;
  readonly credentialsBucket: string;
  readonly mediaBucket: string;
  readonly queues: Readonly<Record<string, LocalQueueEndpoints>>;
  readonly tables: readonly string[];
}

export interface RunningLocalCloud {
  readonly stack: LocalStack;
  /** The environment the handlers run with (also set on `process.env` unless `setEnv: false`). */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<RunningLocalCloud> {
  const root = options.root ?? DEFAULT_ROOT;
  const log = options.log ?? consoleLog;
  const ports = options.ports ?? {};
  const prefix = options.prefix ?? `l${randomBytes(3).toString('hex')}-`;
  // Stopped in reverse order; a failure half-way stops what already runs.
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => log('warn', 'a local service did not stop cleanly', { error }));
    }
  };
  try {
    const [dynamo, fauxqs, kms] = await Promise.all([
      startDynamoDbLocal({ port: ports.dynamodb }),
      startFauxqsServer({ port: ports.fauxqs }),
      startKmsStandIn({ port: ports.kms }),
    ]);
    stops.push(dynamo.stop, fauxqs.stop, kms.stop);
    const aws = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const dynamoClient = new DynamoDBClient({ ...aws, endpoint: dynamo.endpoint });
    const sqs = new SQSClient({ ...aws, endpoint: fauxqs.endpoint });
    const s3 = new S3Client({ ...aws, endpoint: fauxqs.endpoint, forcePathStyle: true });
    stops.push(async () => [dynamoClient, sqs, s3].forEach((c) => c.destroy()));

    const tables = await createTables(dynamoClient, prefix);
    const credentialsBucket = `${prefix}credentials`;
    const mediaBucket = `${prefix}media`;
    for (const Bucket of [credentialsBucket, mediaBucket]) await s3.send(new CreateBucketCommand({ Bucket }));
    const queueDefinitions = options.queues ?? Object.values(QUEUES);
    const queues = await createQueues(sqs, prefix, queueDefinitions);

    const busName = eventBusName(prefix);
    const bus = await startLocalEventBridge({
      sqs,
      busName,
      queueUrl: (q) => queues[q]?.url,
      rules: options.rules ?? EVENT_RULES,
      port: ports.eventbridge,
      log,
    });
    stops.push(bus.stop);

    const consoleHandler =
      options.console === false
        ? undefined
        : createConsoleHandler(root, { watch: options.console === 'watch', log });
    if (consoleHandler) stops.push(consoleHandler.stop);
    const http = await startHttpGateway({
      root,
      routes: options.routes,
      authorizer: options.authorizer,
      port: ports.http,
      log,
      staticHandler: consoleHandler?.handle,
    });
    stops.push(http.stop);
    const ws = await startWsGateway({ root, routes: options.wsRoutes, port: ports.ws, log });
    stops.push(ws.stop);

    const stack: LocalStack = {
      httpUrl: http.url,
      wsUrl: ws.url,
      connectionsUrl: ws.connectionsUrl,
      dynamodb: dynamo.endpoint,
      sqs: fauxqs.endpoint,
      s3: fauxqs.endpoint,
      eventbridge: bus.endpoint,
      kms: kms.endpoint,
      kmsKeyId: kms.keyId,
      region: LOCAL_REGION,
      prefix,
      eventBusName: busName,
      credentialsBucket,
      mediaBucket,
      queues: queueEndpoints(queues),
      tables,
    };
    const env = { ...handlerEnvironment(stack), ...options.env };
    if (options.setEnv ?? true) stops.push(applyEnvironment(env));

    // Started last: a consumer may run as soon as it polls, and it needs the environment above.
    const mappings: RunningEventSourceMapping[] = [];
    const runConsumers = options.consumers ?? options.setEnv ?? true;
    for (const created of Object.values(queues)) {
      const consumer = created.definition.consumer;
      if (!consumer || !runConsumers) continue;
      mappings.push(
        startEventSourceMapping({
          sqs,
          queueUrl: created.url,
          queueArn: created.arn,
          fn: lazyFunction(
            root,
            consumer.entry,
            consumer.handler,
            created.definition.visibilityTimeoutSeconds * 1000,
          ),
          batchSize: consumer.batchSize,
          reportBatchItemFailures: consumer.reportBatchItemFailures,
          concurrency: consumer.maxConcurrency ?? DEFAULT_CONCURRENT_BATCHES,
          log,
        }),
      );
    }
    stops.push(async () => void (await Promise.all(mappings.map((m) => m.stop()))));

    const stackFile = options.stackFile ?? join(root, '.local', 'stack.json');
    if (stackFile) await writeStackFile(stackFile, stack);
    return { stack, env, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What a deployed function finds in its environment, pointed at the local endpoints. */
export function handlerEnvironment(stack: LocalStack): Record<string, string> {
  return {
    AWS_REGION: stack.region,
    AWS_DEFAULT_REGION: stack.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodb,
    AWS_ENDPOINT_URL_SQS: stack.sqs,
    AWS_ENDPOINT_URL_S3: stack.s3,
    AWS_ENDPOINT_URL_EVENTBRIDGE: stack.eventbridge,
    AWS_ENDPOINT_URL_KMS: stack.kms,
    APP_RESOURCE_PREFIX: stack.prefix,
    APP_CREDENTIALS_BUCKET: stack.credentialsBucket,
    APP_MEDIA_BUCKET: stack.mediaBucket,
    APP_KMS_KEY_ID: stack.kmsKeyId,
    APP_WS_CALLBACK_URL: stack.connectionsUrl,
    APP_LOCAL_MODE: 'true',
    APP_S3_FORCE_PATH_STYLE: 'true',
  };
}

/** Sets the variables and returns how to put the previous values back. */
function applyEnvironment(env: Readonly<Record<string, string>>): () => Promise<void> {
  const previous = new Map(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return async () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function queueEndpoints(queues: Partial<Record<string, CreatedQueue>>): Record<string, LocalQueueEndpoints> {
  const out: Record<string, LocalQueueEndpoints> = {};
  for (const [name, q] of Object.entries(queues)) {
    if (q) out[name] = { url: q.url, arn: q.arn, dlqUrl: q.dlqUrl, dlqArn: q.dlqArn };
  }
  return out;
}

/** Written atomically, so a reader never sees half a file. */
async function writeStackFile(path: string, stack: LocalStack): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(stack, null, 2)}\n`);
  await rename(temporary, path);
}
