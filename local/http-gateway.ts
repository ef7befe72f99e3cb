/**
 * A local API Gateway HTTP API: routes from `HTTP_ROUTES`, a Lambda request authorizer from `HTTP_AUTHORIZER`,
 * the same handler modules the stack deploys, real payload-2.0 events. Gateway-made answers use API Gateway's
 * own bodies (`{"message":"Forbidden"}`...), so clients see locally what they will see on AWS. The server
 * never crashes on a request: every failure becomes an HTTP answer and a log line.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { PayloadTooLargeError, PROBLEM_CONTENT_TYPE } from '../shared/domain/errors.js';
import {
  HTTP_AUTHORIZER,
  HTTP_ROUTES,
  MAX_HTTP_BODY_BYTES,
  type AuthorizerDefinition,
  type HttpRouteDefinition,
} from '../shared/definitions/http-routes.js';
import {
  buildAuthorizerEvent,
  buildHttpEvent,
  gatewayError,
  mapHttpResult,
  newApiRequestId,
  type ApiContext,
  type HttpResponse,
  type RawHttpRequest,
} from './http-event.js';
import { HttpRouter } from './http-routing.js';
import { invokeLambda, lazyFunction, LambdaTimeoutError, type LambdaFunction } from './lambda-runtime.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-aws.js';
import { consoleLog, type LocalLog } from './log.js';

export const DEFAULT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface HttpGatewayOptions {
  /** Repository root the route entries are relative to. */
  readonly root?: string;
  readonly routes?: readonly HttpRouteDefinition[];
  /** `null` runs without an authorizer: protected routes then answer 500, as a misconfigured API would. */
  readonly authorizer?: AuthorizerDefinition | null;
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly apiId?: string;
  readonly maxBodyBytes?: number;
  /** API Gateway gives up on an integration after 30 s and answers 503. */
  readonly integrationTimeoutMs?: number;
  readonly log?: LocalLog;
  /** Local only: answers non-API paths (the browser console, `local/web-server.ts`) before routing. */
  readonly staticHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface RunningHttpGateway {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface Target {
  readonly definition: HttpRouteDefinition;
  readonly fn: LambdaFunction;
}

const SimpleAuthorizerResultSchema = z.object({
  isAuthorized: z.boolean(),
  context: z.record(z.string(), z.unknown()).optional(),
});

export async function startHttpGateway(options: HttpGatewayOptions = {}): Promise<RunningHttpGateway> {
  const root = options.root ?? DEFAULT_ROOT;
  const timeoutMs = options.integrationTimeoutMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_HTTP_BODY_BYTES;
  const log = options.log ?? consoleLog;
  const api: ApiContext = {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: options.apiId ?? 'localhttp',
    region: options.region ?? LOCAL_REGION,
  };
  const router = new HttpRouter<Target>(
    (options.routes ?? HTTP_ROUTES).map((definition) => ({
      routeKey: definition.routeKey,
      route: { definition, fn: lazyFunction(root, definition.entry, definition.handler, timeoutMs) },
    })),
  );
  const authorizerDefinition = options.authorizer === undefined ? HTTP_AUTHORIZER : options.authorizer;
  const authorizer =
    authorizerDefinition &&
    lazyFunction(root, authorizerDefinition.entry, authorizerDefinition.handler, timeoutMs);

  async function handle(req: IncomingMessage, requestId: string): Promise<HttpResponse> {
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') return payloadTooLarge(maxBodyBytes);
    const raw: RawHttpRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      httpVersion: req.httpVersion,
      localPort: req.socket.localPort ?? 0,
    };
    const match = router.match(raw.method, raw.url.split('?')[0] ?? '/');
    if (!match) return gatewayError(404, 'Not Found');
    const event = buildHttpEvent(raw, match, api, requestId);
    if (match.route.definition.auth !== 'none') {
      const refusal = await authorize(event);
      if (refusal) return refusal;
    }
    return mapHttpResult(await invokeLambda(match.route.fn, event, api.region));
  }

  /** Returns the gateway's answer when the request may not go on, or undefined (and sets the context) when it may. */
  async function authorize(event: APIGatewayProxyEventV2): Promise<HttpResponse | undefined> {
    if (!authorizer) {
      log('error', 'route needs an authorizer but none is configured', { routeKey: event.routeKey });
      return gatewayError(500, 'Internal Server Error');
    }
    // The identity source is `$request.header.Authorization`: without it API Gateway does not call the authorizer.
    if (!event.headers.authorization) return gatewayError(401, 'Unauthorized');
    const result = SimpleAuthorizerResultSchema.safeParse(
      await invokeLambda(authorizer, buildAuthorizerEvent(event, api), api.region),
    );
    if (!result.success) {
      log('error', 'authorizer returned a malformed simple response', { issues: result.error.message });
      return gatewayError(500, 'Internal Server Error');
    }
    if (!result.data.isAuthorized) return gatewayError(403, 'Forbidden');
    Object.assign(event.requestContext, { authorizer: { lambda: result.data.context ?? {} } });
    return undefined;
  }

  const server = createServer((req, res) => {
    const requestId = newApiRequestId();
    const served = options.staticHandler ? options.staticHandler(req, res) : Promise.resolve(false);
    served
      .then((done) => (done ? undefined : route(req, res, requestId)))
      .catch((error: unknown) => {
        log('error', 'static handler failed', { url: req.url, error });
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  const route = (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> =>
    handle(req, requestId)
      .catch((error: unknown) => {
        log('error', 'integration failed', { requestId, method: req.method, url: req.url, error });
        return error instanceof LambdaTimeoutError
          ? gatewayError(503, 'Service Unavailable')
          : gatewayError(500, 'Internal Server Error');
      })
      .then((response) => send(res, response, requestId))
      .catch((error: unknown) => {
        log('error', 'could not write the response', { requestId, error });
        res.destroy();
      });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads the body up to the limit; `too-large` as soon as the limit is passed (the rest is not buffered). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      return 'too-large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The domain's own 413 problem, so clients see one problem vocabulary whether the gateway or a handler refused. */
function payloadTooLarge(limit: number): HttpResponse {
  const error = new PayloadTooLargeError(`The request body is larger than ${limit} bytes.`);
  return {
    statusCode: error.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, connection: 'close' },
    cookies: [],
    body: Buffer.from(JSON.stringify(error.toProblem())),
  };
}

function send(res: ServerResponse, response: HttpResponse, requestId: string): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.cookies.length > 0) res.setHeader('set-cookie', [...response.cookies]);
  res.setHeader('apigw-requestid', requestId);
  res.setHeader('content-length', response.body.length);
  res.end(response.body);
}
