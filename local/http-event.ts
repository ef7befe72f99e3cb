/**
 * Builds API Gateway HTTP API (payload format 2.0) events from a raw request and maps handler results back,
 * following the documented format: lower-cased headers with duplicates joined by commas, cookies moved out of
 * the headers into `cookies`, duplicate query parameters joined by commas, bodies base64-encoded unless the
 * content type is text, and the 2.0 shorthand (a result without `statusCode` is a 200 JSON body).
 */
import { randomBytes } from 'node:crypto';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import { z } from 'zod';

export interface RawHttpRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/v1/sessions/a%20b?x=1`. */
  readonly url: string;
  /** Node's `rawHeaders`: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly httpVersion: string;
  readonly localPort: number;
}

export interface ApiContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly region: string;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(.+\+)?json\b/,
  /^application\/(.+\+)?xml\b/,
  /^application\/javascript\b/,
];

export function isTextContentType(contentType: string | undefined): boolean {
  const type = contentType?.toLowerCase().trim() ?? '';
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

export function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const q = url.indexOf('?');
  return q < 0
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, q), rawQueryString: url.slice(q + 1) };
}

/** API Gateway request ids look like `JKJaXmPLvHcESHA=`: 10 random bytes, base64. */
export function newApiRequestId(): string {
  return randomBytes(10).toString('base64');
}

export function buildHttpEvent(
  request: RawHttpRequest,
  route: { routeKey: string; pathParameters: Readonly<Record<string, string>> | undefined },
  api: ApiContext,
  requestId: string,
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitUrl(request.url);
  const { headers, cookies } = collectHeaders(request);
  const queryStringParameters = parseQuery(rawQueryString);
  const hasBody = request.body.length > 0;
  const base64 = hasBody && !isTextContentType(headers['content-type']);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route.pathParameters ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: requestContext(request, headers, route.routeKey, api, requestId, now),
    ...(hasBody ? { body: request.body.toString(base64 ? 'base64' : 'utf8') } : {}),
    isBase64Encoded: base64,
  };
}

/** The request authorizer's event (payload 2.0) for the same request, identity source `$request.header.Authorization`. */
export function buildAuthorizerEvent(
  event: APIGatewayProxyEventV2,
  api: ApiContext,
): APIGatewayRequestAuthorizerEventV2 {
  const { http, stage } = event.requestContext;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${stage}/${http.method}${http.path}`,
    identitySource: event.headers.authorization ? [event.headers.authorization] : [],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: event.cookies ?? [],
    headers: event.headers,
    ...(event.queryStringParameters ? { queryStringParameters: event.queryStringParameters } : {}),
    ...(event.pathParameters ? { pathParameters: event.pathParameters } : {}),
    requestContext: event.requestContext,
  };
}

function collectHeaders(request: RawHttpRequest): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c.length > 0),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  // Headers API Gateway adds in front of every integration.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-port'] = String(request.localPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return { headers, cookies };
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    params[name] = name in params ? `${params[name]},${value}` : value;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

function requestContext(
  request: RawHttpRequest,
  headers: Readonly<Record<string, string>>,
  routeKey: string,
  api: ApiContext,
  requestId: string,
  now: Date,
): APIGatewayEventRequestContextV2 {
  const domainName = headers.host ?? `localhost:${request.localPort}`;
  return {
    accountId: api.accountId,
    apiId: api.apiId,
    domainName,
    domainPrefix: domainName.split('.')[0]?.split(':')[0] ?? domainName,
    http: {
      method: request.method.toUpperCase(),
      path: splitUrl(request.url).rawPath,
      protocol: `HTTP/${request.httpVersion}`,
      sourceIp: request.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId,
    routeKey,
    stage: '$default',
    time: formatClf(now),
    timeEpoch: now.getTime(),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Common Log Format, the one API Gateway uses: `12/Mar/2020:19:03:58 +0000`. */
export function formatClf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

const StructuredResultSchema = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  cookies: z.array(z.string()).optional(),
});

export class InvalidLambdaResultError extends Error {
  override readonly name = 'InvalidLambdaResultError';
}

/**
 * Maps a handler result like API Gateway: an object with `statusCode` is a structured response (validated:
 * a malformed one is a 500); anything else is the 2.0 shorthand, a 200 whose JSON body is the result.
 */
export function mapHttpResult(result: unknown): HttpResponse {
  const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!structured) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result ?? null) ?? 'null');
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const parsed = StructuredResultSchema.safeParse(result);
  if (!parsed.success)
    throw new InvalidLambdaResultError(`malformed Lambda response: ${parsed.error.message}`);
  const { statusCode, headers = {}, body = '', isBase64Encoded = false, cookies = [] } = parsed.data;
  const outHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) outHeaders[name.toLowerCase()] = String(value);
  return {
    statusCode,
    headers: outHeaders,
    cookies,
    body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/** API Gateway's own error bodies (not problem documents: these come from the gateway, not from our code). */
export function gatewayError(statusCode: number, message: string): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}
