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

/** A binary body (an image): sent base64-encoded with `isBase64Encoded`, as API Gateway expects. */
export class BinaryResponse {
  constructor(
    readonly contentType: string,
    readonly bytes: Uint8Array,
    readonly statusCode = 200,
  ) {}
}

export const created = (body: unknown, location?: string): HttpResponse =>
  new HttpResponse(201, body, location === undefined ? {} : { location });
export const accepted = (body: unknown): HttpResponse => new HttpResponse(202, body);
export const noContent = (): HttpResponse => new HttpResponse(204);

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

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
> extends JsonBodyOptions {
  /**
   * Runs first, before the body is read or any input validated, so a caller without a valid key learns nothing
   * about the route's input rules (401/403 before 400). Its result reaches the handler as `auth`.
   */
  authorize?: (event: TEvent) => A | Promise<A>;
  /** Without a body schema the body is not read at all (GET, DELETE, bodyless POSTs). */
  body?: BS;
  query?: QS;
  path?: PS;
  /** Status for a plain return value; default 200. */
  successStatus?: number;
  logger?: ProblemLogger;
  /** Returns the JSON body (sent with `successStatus`) or an HttpResponse. */
  handler: (input: RouteInput<TEvent, Parsed<BS>, Parsed<QS>, Parsed<PS>, A>) => unknown | Promise<unknown>;
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
      headers: { 'content-type': value.contentType, 'cache-control': 'no-store' },
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
 * A thin HTTP handler: JSON body, query and path parameters are parsed and validated with zod before the
 * handler runs, so it only sees typed input; every failure leaves as a problem document.
 */
export function httpRoute<
  TEvent extends APIGatewayProxyEventV2 = APIGatewayProxyEventV2,
  BS extends z.ZodType | undefined = undefined,
  QS extends z.ZodType | undefined = undefined,
  PS extends z.ZodType | undefined = undefined,
  A = undefined,
>(options: RouteOptions<TEvent, BS, QS, PS, A>) {
  const successStatus = options.successStatus ?? 200;
  const authorized = new WeakMap<object, A>();
  const core = async (event: TEvent, context: Context): Promise<HttpResult> => {
    const body = parseInput(options.body, (event as EventWithJsonBody<TEvent>).jsonBody, 'body');
    const query = parseInput(options.query, event.queryStringParameters ?? {}, 'query');
    const path = parseInput(options.path, event.pathParameters ?? {}, 'path');
    const value = await options.handler({
      body: body as Parsed<BS>,
      query: query as Parsed<QS>,
      path: path as Parsed<PS>,
      event,
      context,
      auth: authorized.get(event) as A,
    });
    return toResult(value, successStatus);
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
  >(
    options: RouteOptions<TEvent, BS, QS, PS, A>,
  ) => httpRoute<TEvent, BS, QS, PS, A>(options);
}
