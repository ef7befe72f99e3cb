/**
 * The local cloud as the webhook and pairing tests need it: the real routes, queues, rules and workers, with
 * the fixture authorizer (tenants from the bearer token), plus helpers to make tenants' API clients, sessions,
 * and HTTP receivers that record what they get.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloudOptions, type RunningLocalCloud } from '../../local/cloud.js';
import { consoleLog, silentLog } from '../../local/log.js';
import { createAwsClients, type AwsClients } from '../../shared/adapters/aws/clients.js';
import { createDynamoRepositories, type Repositories } from '../../shared/adapters/dynamodb/index.js';
import { loadAppConfig } from '../../shared/config/app-config.js';
import type { Scope } from '../../shared/domain/api-key.js';
import { newId, nowIso } from '../../shared/domain/ids.js';
import { ALL_SCOPES } from '../../shared/domain/api-key.js';
import { DEFAULT_TENANT_LIMITS } from '../../shared/domain/tenant.js';
import { resetRuntime } from '../../functions/runtime.js';
import { ApiClient } from './api-client.js';
import { fixtureToken } from './fixtures/tenant-authorizer.js';

export interface EventsStack {
  readonly cloud: RunningLocalCloud;
  readonly clients: AwsClients;
  readonly repos: Repositories;
  /**
   * An API client for a fresh (or given) tenant with the given scopes. The tenant record is real (the routes'
   * tenant guard reads it: status, limits); only the key is a fixture token.
   */
  tenant(scopes?: readonly Scope[], tenantId?: string): Promise<{ tenantId: string; api: ApiClient }>;
  /** A session item for the tenant, as `POST /v1/sessions` would create it. */
  session(tenantId: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startEventsStack(options: LocalCloudOptions = {}): Promise<EventsStack> {
  resetRuntime();
  const cloud = await startLocalCloud({
    authorizer: { entry: 'test/support/fixtures/tenant-authorizer', handler: 'handler', resultTtlSeconds: 0 },
    stackFile: join(mkdtempSync(join(tmpdir(), 'events-stack-')), 'stack.json'),
    log: process.env.EVENTS_STACK_LOG ? consoleLog : silentLog,
    ...options,
  });
  const config = loadAppConfig();
  // Explicit endpoints: fauxqs queue URLs name a host that does not resolve, and the SQS client only ignores
  // it for an endpoint given in code.
  const { dynamodb, sqs, s3, eventbridge, kms } = cloud.stack;
  const clients = createAwsClients(config, { endpoints: { dynamodb, sqs, s3, eventbridge, kms } });
  const repos = createDynamoRepositories(clients.dynamo, config);
  return {
    cloud,
    clients,
    repos,
    async tenant(scopes = ALL_SCOPES, tenantId = newId()) {
      if (!(await repos.tenants.get(tenantId))) {
        await repos.tenants.create({
          id: tenantId,
          name: `tenant ${tenantId.slice(-6)}`,
          status: 'active',
          limits: { ...DEFAULT_TENANT_LIMITS },
          createdAt: nowIso(),
        });
      }
      return { tenantId, api: new ApiClient(cloud.stack.httpUrl, fixtureToken(tenantId, scopes)) };
    },
    async session(tenantId) {
      const at = nowIso();
      const session = await repos.sessions.create({
        id: newId(),
        tenantId,
        desired: 'running',
        status: 'starting',
        createdAt: at,
        updatedAt: at,
      });
      return session.id;
    },
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await cloud.stop();
      resetRuntime();
    },
  };
}

export interface ReceivedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
  /** What the receiver answered. */
  readonly status: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** The status the next requests get (default 204). */
  respondWith(status: number): void;
  stop(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 recording every request. */
export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  let status = 204;
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    respondWith(next) {
      status = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
