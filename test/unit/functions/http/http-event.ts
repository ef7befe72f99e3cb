import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export interface EventInit {
  method?: string;
  path?: string;
  routeKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** An HTTP API payload v2 event as API Gateway sends it (header names lower-cased, rawQueryString filled). */
export function httpEvent(init: EventInit = {}): APIGatewayProxyEventV2 {
  const method = init.method ?? 'GET';
  const path = init.path ?? '/v1/health';
  const query = init.query;
  const rawQueryString = query ? new URLSearchParams(query).toString() : '';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: init.routeKey ?? `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers: {
      accept: 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'vitest',
      'x-forwarded-proto': 'https',
      ...init.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: 'req-Jx1aBcDeFg=',
      routeKey: init.routeKey ?? `${method} ${path}`,
      stage: '$default',
      time: '25/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795600800000,
    },
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
  if (query) event.queryStringParameters = query;
  if (init.pathParameters) event.pathParameters = init.pathParameters;
  if (init.body !== undefined) event.body = init.body;
  return event;
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'wa-http-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:wa-http-test',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/wa-http-test',
    logStreamName: '2026/11/25/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Parsed JSON body of a structured result, failing loudly if the handler returned something else. */
export function jsonOf(result: unknown): Record<string, unknown> {
  const r = result as APIGatewayProxyStructuredResultV2;
  if (typeof r?.body !== 'string') throw new Error(`no body in ${JSON.stringify(result)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

export function headerOf(result: unknown, name: string): string | undefined {
  const headers = (result as APIGatewayProxyStructuredResultV2).headers ?? {};
  const value = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return value === undefined ? undefined : String(value);
}
