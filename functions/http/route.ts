import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import { type ValidationLocation, validationErrorFromZod } from '../../shared/domain/index.js';
import { type EventWithJsonBody, type JsonBodyOptions, jsonBody } from './middleware/json-body.js';
import { type ProblemLogger, problemErrors } from './middleware/problem-errors.js';
import { type RawBody, type RawBodyOptions, parseRawBody } from './middleware/raw-body.js';

export type { RawBody, RawBodyOptions } from './middleware/raw-body.js';

/** Event of a route behind the Lambda authorizer; the authorizer's context type is defined with it. */
export type AuthorizedHttpEvent<TAuthorizerContext> =
  APIGatewayProxyEventV2WithLambdaAuthorizer<TAuthorizerContext>;

export type HttpResult = APIGatewayProxyStructuredResultV2;

/** A response with a status or headers other than the route's default. */
export class HttpResponse {
  constructor(
    readonly statusCode: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * A binary body (an image, a media file): sent base64-encoded with `isBase64Encoded`, as API Gateway expects.
 * `headers` add to (or replace) the default `content-type` and `cache-control: no-store`.
 */
export class BinaryResponse {
  constructor(
    readonly contentType: string,
    readonly bytes: Uint8Array,
    readonly statusCode = 200,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * An `authorize` result may carry headers for the route's successful responses (the tenant guard's rate-limit
 * state); the handler's own headers win on a clash.
 */
export interface WithResponseHeaders {
  readonly responseHeaders: Readonly<Record<string, string>>;
}

function responseHeadersOf(auth: unknown): Readonly<Record<string, string>> | undefined {
  if (typeof auth !== 'object' || auth === null || !('responseHeaders' in auth)) return undefined;
  return (auth as WithResponseHeaders).responseHeaders;
}

export const created = (body: unknown, location?: string): HttpResponse =>
  new HttpResponse(201, body, location === undefined ? {} : { location });
export const accepted = (body: unknown): HttpResponse => new HttpResponse(202, body);
export const noContent = (): HttpResponse => new HttpResponse(204);

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
/** The handler's `body`: the bytes with `rawBody`, else the parsed JSON (or undefined without a schema). */
type BodyOf<BS, R> = R extends RawBodyOptions ? RawBody : Parsed<BS>;

export interface RouteInput<TEvent, B, Q, P, A = undefined> {
  body: B;
  query: Q;
  path: P;
  event: TEvent;
  context: Context;
  /** What `authorize` returned (undefined without one). */
  auth: A;
}

export interface RouteOptions<
  TEvent extends APIGatewayProxyEventV2,
  BS extends z.ZodType | undefined,
  QS extends z.ZodType | undefined,
  PS extends z.ZodType | undefined,
  A = undefined,
  R extends RawBodyOptions | undefined = undefined,
> extends JsonBodyOptions {
  /**
   * Runs first, before the body is read or any input validated, so a caller without a valid key learns nothing
   * about the route's input rules (401/403 before 400). Its result reaches the handler as `auth`.
   */
  authorize?: (event: TEvent) => A | Promise<A>;
  /** Without a body schema (or `rawBody`) the body is not read at all (GET, DELETE, bodyless POSTs). */
  body?: BS;
  /**
   * Take the body as bytes (a file upload) instead of JSON: `body` is then `{ bytes, contentType }`, with the
   * `Content-Type` validated as a media type (400; 415 for JSON, forms, multipart), an empty body a 400 and a
   * body over `maxBytes` a 413. Not combined with a body schema.
   */
  rawBody?: R;
  query?: QS;
  path?: PS;
  /** Status for a plain return value; default 200. */
  successStatus?: number;
  logger?: ProblemLogger;
  /** Returns the JSON body (sent with `successStatus`) or an HttpResponse. */
  handler: (
    input: RouteInput<TEvent, BodyOf<BS, R>, Parsed<QS>, Parsed<PS>, A>,
  ) => unknown | Promise<unknown>;
}

// Zod's default for a missing field reads "expected string, received undefined"; clients understand this better.
const inputErrorMap = (issue: z.core.$ZodRawIssue): string | undefined =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;

function parseInput(schema: z.ZodType | undefined, value: unknown, location: ValidationLocation): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value, { error: inputErrorMap });
  if (!result.success) throw validationErrorFromZod(result.error, location);
  return result.data;
}

function toResult(value: unknown, successStatus: number): HttpResult {
  if (value instanceof BinaryResponse) {
    return {
      statusCode: value.statusCode,
      headers: { 'content-type': value.contentType, 'cache-control': 'no-store', ...value.headers },
      body: Buffer.from(value.bytes).toString('base64'),
      isBase64Encoded: true,
    };
  }
  const response = value instanceof HttpResponse ? value : new HttpResponse(successStatus, value);
  const headers: Record<string, string> = {
    // API responses carry tenant data and once-shown secrets; no shared cache may keep them.
    'cache-control': 'no-store',
    ...response.headers,
  };
  if (response.statusCode === 204 || response.body === undefined) {
    return { statusCode: response.statusCode, headers };
  }
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(response.body),
  };
}

/**
 * A thin HTTP handler: JSON body (or, with `rawBody`, the body's bytes and media type), query and path
 * parameters are parsed and validated with zod before the handler runs, so it only sees typed input; every
 * failure leaves as a problem document.
 */
export function httpRoute<
  TEvent extends APIGatewayProxyEventV2 = APIGatewayProxyEventV2,
  BS extends z.ZodType | undefined = undefined,
  QS extends z.ZodType | undefined = undefined,
  PS extends z.ZodType | undefined = undefined,
  A = undefined,
  R extends RawBodyOptions | undefined = undefined,
>(options: RouteOptions<TEvent, BS, QS, PS, A, R>) {
  const rawBodyOptions = options.rawBody;
  if (rawBodyOptions !== undefined && options.body !== undefined) {
    throw new TypeError('httpRoute: give either a body schema or rawBody, not both');
  }
  const successStatus = options.successStatus ?? 200;
  const authorized = new WeakMap<object, A>();
  const rawBodies = new WeakMap<object, RawBody>();
  const core = async (event: TEvent, context: Context): Promise<HttpResult> => {
    const body =
      rawBodyOptions === undefined
        ? parseInput(options.body, (event as EventWithJsonBody<TEvent>).jsonBody, 'body')
        : rawBodies.get(event);
    const query = parseInput(options.query, event.queryStringParameters ?? {}, 'query');
    const path = parseInput(options.path, event.pathParameters ?? {}, 'path');
    const auth = authorized.get(event) as A;
    const value = await options.handler({
      body: body as BodyOf<BS, R>,
      query: query as Parsed<QS>,
      path: path as Parsed<PS>,
      event,
      context,
      auth,
    });
    const result = toResult(value, successStatus);
    const extra = responseHeadersOf(auth);
    return extra ? { ...result, headers: { ...extra, ...result.headers } } : result;
  };

  const handler = middy<TEvent, HttpResult>(core).use(problemErrors({ logger: options.logger }));
  const authorize = options.authorize;
  if (authorize !== undefined) {
    handler.use({
      name: 'authorize',
      before: async (request) => {
        authorized.set(request.event, await authorize(request.event));
      },
    });
  }
  if (rawBodyOptions !== undefined) {
    return handler.use({
      name: 'rawBody',
      before: (request) => {
        rawBodies.set(request.event, parseRawBody(request.event, rawBodyOptions));
      },
    });
  }
  // Routes without a body schema ignore the body instead of refusing a stray one.
  return options.body === undefined ? handler : handler.use(jsonBody<TEvent>({ maxBytes: options.maxBytes }));
}

/**
 * `httpRoute` for a specific event type (e.g. `AuthorizedHttpEvent<Ctx>`). Curried because TypeScript cannot
 * infer the schema type parameters once the event type is given explicitly.
 */
export function httpRouteFor<TEvent extends APIGatewayProxyEventV2>() {
  return <
    BS extends z.ZodType | undefined = undefined,
    QS extends z.ZodType | undefined = undefined,
    PS extends z.ZodType | undefined = undefined,
    A = undefined,
    R extends RawBodyOptions | undefined = undefined,
  >(
    options: RouteOptions<TEvent, BS, QS, PS, A, R>,
  ) => httpRoute<TEvent, BS, QS, PS, A, R>(options);
}
