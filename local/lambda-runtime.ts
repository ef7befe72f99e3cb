/**
 * The slice of the Lambda runtime the local gateways need: load a handler module the way the deployed function
 * does (entry + exported name, from the repository root), give it a realistic `Context`, and enforce the
 * function timeout. Handlers run in process, so a local invoke is cheap and debuggable; what differs from AWS
 * (no isolation, no cold starts, shared module state between "functions") is listed in docs/local-cloud.md.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-aws.js';

/** Node 24 Lambda runtimes only support async handlers (callbacks were removed), so neither do we. */
export type LambdaHandler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: Context,
) => Promise<TResult>;

export interface LambdaFunction {
  readonly functionName: string;
  readonly handler: LambdaHandler;
  readonly timeoutMs: number;
}

export class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
}

export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
}

/** `functions/http/health` -> `local-http-health`, the kind of name CDK gives the deployed function. */
export function functionNameFor(entry: string): string {
  return `local-${entry.replace(/^functions\//, '').replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

export async function loadHandler(root: string, entry: string, exportName: string): Promise<LambdaHandler> {
  const file = resolve(root, `${entry}.ts`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new HandlerLoadError(`cannot load ${entry}: ${(error as Error).message}`, { cause: error });
  }
  const handler = module[exportName];
  if (typeof handler !== 'function')
    throw new HandlerLoadError(`${entry} exports no function "${exportName}"`);
  return handler as LambdaHandler;
}

/**
 * Loads lazily and once: a gateway starts even if a handler module is missing or broken, and answers that
 * route with a 500 like API Gateway does for a function that fails to initialise.
 */
export function lazyFunction(
  root: string,
  entry: string,
  exportName: string,
  timeoutMs = 30_000,
): LambdaFunction {
  let loading: Promise<LambdaHandler> | undefined;
  const handler: LambdaHandler = async (event, context) => {
    loading ??= loadHandler(root, entry, exportName);
    loading.catch(() => (loading = undefined));
    return (await loading)(event, context);
  };
  return { functionName: functionNameFor(entry), handler, timeoutMs };
}

export function createLambdaContext(functionName: string, timeoutMs: number, region = LOCAL_REGION): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  const unsupported = () => {
    throw new Error('callback-style completion is not supported on Node 24 runtimes; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Invokes with a fresh context; rejects with `LambdaTimeoutError` when the function runs past its timeout. */
export async function invokeLambda(
  fn: LambdaFunction,
  event: unknown,
  region = LOCAL_REGION,
): Promise<unknown> {
  const context = createLambdaContext(fn.functionName, fn.timeoutMs, region);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LambdaTimeoutError(`${fn.functionName} timed out after ${fn.timeoutMs} ms`)),
      fn.timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(() => fn.handler(event, context)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
