import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SHARED_DYNAMODB_ENV } from '../../../local/dynamodb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLocalCloud, type LocalStack, type RunningLocalCloud } from '../../../local/cloud.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';
import { TABLE_NAMES } from '../../../shared/definitions/tables.js';
import { QUEUE_NAMES } from '../../../shared/definitions/queues.js';

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

describe('startLocalCloud', () => {
  let dir: string;
  let cloud: RunningLocalCloud;
  let stopped = false;
  const envBefore = process.env.APP_RESOURCE_PREFIX;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wa-cloud-'));
    cloud = await startLocalCloud({ stackFile: join(dir, 'stack.json'), log: silentLog });
  });
  afterAll(async () => {
    if (!stopped) await cloud?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers GET /v1/health through the HTTP gateway', async () => {
    const res = await fetch(`${cloud.stack.httpUrl}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it("writes the endpoints to stack.json and sets the handlers' environment", async () => {
    const written = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf8')) as LocalStack;
    expect(written).toEqual(cloud.stack);
    expect(written.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(written.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(written.queues).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(written.queues.webhookFanout?.dlqUrl).toContain('-dlq');
    expect(process.env.APP_RESOURCE_PREFIX).toBe(written.prefix);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(written.dynamodb);
    expect(process.env.APP_WS_CALLBACK_URL).toBe(written.connectionsUrl);
    const dynamo = new DynamoDBClient({
      endpoint: written.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const { TableNames = [] } = await dynamo.send(
      // The run shares one DynamoDB Local (pages of 100 names): list from this stack's prefix on.
      new ListTablesCommand({ ExclusiveStartTableName: written.prefix }),
    );
    dynamo.destroy();
    expect(TableNames.filter((t) => t.startsWith(written.prefix))).toHaveLength(TABLE_NAMES.length);
  });

  it('runs the WebSocket gateway with the real $connect, which refuses a browser without a ticket', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(cloud.stack.wsUrl);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('accepted')));
      ws.once('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it('stops everything and restores the environment', async () => {
    const { stack } = cloud;
    await cloud.stop();
    stopped = true;
    for (const url of [
      stack.httpUrl,
      stack.connectionsUrl,
      // The run's shared DynamoDB Local (test/global-setup.ts) is not the stack's to stop.
      ...(stack.dynamodb === process.env[SHARED_DYNAMODB_ENV] ? [] : [stack.dynamodb]),
      stack.sqs,
      stack.eventbridge,
      stack.kms,
    ]) {
      expect(await refused(url), url).toBe(true);
    }
    expect(process.env.APP_RESOURCE_PREFIX).toBe(envBefore);
  });
});
