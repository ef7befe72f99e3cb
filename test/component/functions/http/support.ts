/**
 * The control plane through the real local HTTP gateway: one local cloud per test file (`startLocalCloud`), an
 * operator key configured by its hash as on AWS, and a small client speaking real HTTP. Repositories over the
 * same DynamoDB let tests stand in for a session host (write a QR, claim a session, read a host queue).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createAwsClients, type AwsClients } from '../../../../shared/adapters/aws/clients.js';
import { SqsHostCommandQueue } from '../../../../shared/adapters/aws/sqs-host-command-queue.js';
import { createDynamoRepositories, type Repositories } from '../../../../shared/adapters/dynamodb/index.js';
import { loadAppConfig, type AppConfig } from '../../../../shared/config/app-config.js';
import { startLocalCloud, type RunningLocalCloud } from '../../../../local/cloud.js';
import { LOCAL_CREDENTIALS } from '../../../../local/local-aws.js';
import { silentLog } from '../../../../local/log.js';

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly bytes: Buffer;
}

export interface CallOptions {
  readonly key?: string | null;
  readonly body?: unknown;
  /** Sent as is (not JSON-encoded): text, or bytes (an upload). */
  readonly rawBody?: string | Uint8Array;
  readonly headers?: Record<string, string>;
}

export interface TenantHandle {
  readonly tenantId: string;
  readonly key: string;
}

export interface ApiHarness {
  readonly cloud: RunningLocalCloud;
  readonly url: string;
  readonly operatorKey: string;
  readonly config: AppConfig;
  readonly clients: AwsClients;
  readonly repos: Repositories;
  readonly hostQueues: SqsHostCommandQueue;
  call<T = Record<string, unknown>>(method: string, path: string, options?: CallOptions): Promise<Reply<T>>;
  createTenant(limits?: Record<string, number>): Promise<TenantHandle>;
  stop(): Promise<void>;
}

const TEST_ENV = {
  // Short waits keep the "host did not answer" cases quick; the logic is the same as with the defaults.
  APP_PAIRING_WAIT_MS: '2000',
  APP_SESSION_RELEASE_WAIT_MS: '1000',
  // Refused requests log at INFO; tests make hundreds of them on purpose.
  POWERTOOLS_LOG_LEVEL: 'WARN',
};

export interface StartApiOptions {
  /** Extra handler environment for this file's cloud (e.g. a small `APP_MEDIA_UPLOAD_MAX_BYTES`). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startApi(options: StartApiOptions = {}): Promise<ApiHarness> {
  const cloud = await startLocalCloud({ stackFile: false, log: silentLog });
  const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
  const extra = {
    ...TEST_ENV,
    ...options.env,
    APP_OPERATOR_KEY_HASH: createHash('sha256').update(operatorKey).digest('hex'),
  };
  const previous = new Map(Object.keys(extra).map((k) => [k, process.env[k]]));
  Object.assign(process.env, extra);
  const config = loadAppConfig();
  const clients = createAwsClients(config, {
    endpoints: { dynamodb: cloud.stack.dynamodb, sqs: cloud.stack.sqs, s3: cloud.stack.s3 },
    credentials: LOCAL_CREDENTIALS,
  });
  const repos = createDynamoRepositories(clients.dynamo, config);
  const hostQueues = new SqsHostCommandQueue({ sqs: clients.sqs, prefix: config.APP_RESOURCE_PREFIX });
  const url = cloud.stack.httpUrl;

  async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers['authorization'] = `Bearer ${options.key}`;
    // Copied into a plain ArrayBuffer-backed view, which is what fetch's BodyInit takes.
    let body: string | Uint8Array<ArrayBuffer> | undefined =
      typeof options.rawBody === 'string' || options.rawBody === undefined
        ? options.rawBody
        : new Uint8Array(options.rawBody);
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const parsed = (bytes.length > 0 && /json/.test(type) ? JSON.parse(bytes.toString('utf8')) : {}) as T;
    return { status: response.status, headers: response.headers, body: parsed, bytes };
  }

  async function createTenant(limits: Record<string, number> = {}): Promise<TenantHandle> {
    const reply = await call<{ tenant: { id: string }; apiKey: { key: string } }>('POST', '/v1/tenants', {
      key: operatorKey,
      body: { name: `tenant-${randomBytes(3).toString('hex')}`, limits },
    });
    if (reply.status !== 201)
      throw new Error(`tenant creation failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return { tenantId: reply.body.tenant.id, key: reply.body.apiKey.key };
  }

  return {
    cloud,
    url,
    operatorKey,
    config,
    clients,
    repos,
    hostQueues,
    call,
    createTenant,
    stop: async () => {
      clients.dynamo.destroy();
      clients.sqs.destroy();
      clients.s3.destroy();
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await cloud.stop();
    },
  };
}
