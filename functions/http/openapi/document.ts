/**
 * The OpenAPI 3.1 document, generated from the route list (`HTTP_ROUTES`) and the operations each area
 * registers, with every schema converted from zod. `GET /v1/openapi.json` serves it.
 */
import type { z } from 'zod';
import type { HttpRouteDefinition } from '../../../shared/definitions/http-routes.js';
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from '../../../shared/domain/errors.js';
import type { OperationSpec, ResponseSpec } from './operation.js';
import { SchemaComponents, type JsonSchema } from './json-schema.js';

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly serverUrl?: string;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `errors[]` names each field',
  401: 'No valid API key',
  403: 'The key lacks a scope, or a plan limit is reached',
  404: "Not found (also another tenant's resource)",
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Unsupported `Content-Type` for this body',
  429: 'Rate limit reached; see `Retry-After`',
  500: 'Unexpected error',
  503: 'A dependency is unavailable; retry later',
  504: 'The session host did not answer in time',
};

function methodAndPath(routeKey: string): { method: string; path: string } | undefined {
  const [method, path] = routeKey.split(' ');
  if (!method || !path) return undefined;
  return { method: method.toLowerCase(), path };
}

function parameters(
  components: SchemaComponents,
  location: 'path' | 'query',
  schema: z.ZodObject | undefined,
  names: readonly string[],
): JsonSchema[] {
  const shape = schema?.shape ?? {};
  const out: JsonSchema[] = [];
  for (const [name, field] of Object.entries(shape) as [string, z.ZodType][]) {
    const json = components.convert(field, 'input');
    const { description, ...fieldSchema } = json;
    out.push({
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: fieldSchema,
    });
  }
  // Path parameters the route has but the spec did not describe.
  if (location === 'path') {
    for (const name of names) {
      if (!(name in shape)) out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  return out;
}

function response(components: SchemaComponents, spec: ResponseSpec): JsonSchema {
  const out: JsonSchema = { description: spec.description };
  if (spec.headers) {
    out['headers'] = Object.fromEntries(
      Object.entries(spec.headers).map(([name, description]) => [
        name,
        { description, schema: { type: 'string' } },
      ]),
    );
  }
  if (spec.contentType?.includes('*')) {
    // A media range: bytes of whatever type the object has (OpenAPI 3.1: binary content needs no schema).
    out['content'] = { [spec.contentType]: {} };
  } else if (spec.contentType && spec.contentType !== 'application/json') {
    out['content'] = {
      [spec.contentType]: { schema: { type: 'string', contentMediaType: spec.contentType } },
    };
  } else if (spec.schema) {
    out['content'] = { 'application/json': { schema: components.convert(spec.schema, 'output') } };
  }
  for (const type of spec.alsoAs ?? []) {
    out['content'] = {
      ...(out['content'] as JsonSchema | undefined),
      [type]: { schema: { type: 'string', contentMediaType: type } },
    };
  }
  return out;
}

function errorStatuses(route: HttpRouteDefinition, spec: OperationSpec | undefined): number[] {
  const statuses = new Set<number>([500]);
  if (route.auth !== 'none') [401, 403, 429].forEach((s) => statuses.add(s));
  if (route.auth === 'operator') statuses.delete(429);
  if (spec?.body || spec?.query || spec?.path || spec?.headers) statuses.add(400);
  if (spec?.body || spec?.binaryBody) [400, 413, 415].forEach((s) => statuses.add(s));
  if (spec?.path) statuses.add(404);
  for (const s of spec?.errors ?? []) statuses.add(s);
  return [...statuses].sort((a, b) => a - b);
}

function operation(
  components: SchemaComponents,
  route: HttpRouteDefinition,
  pathNames: readonly string[],
  spec: OperationSpec | undefined,
): JsonSchema {
  const op: JsonSchema = {
    operationId: spec?.operationId ?? route.routeKey.replace(/[^A-Za-z0-9]+/g, '_'),
    summary: spec?.summary ?? route.routeKey,
    tags: [spec?.tag ?? 'other'],
  };
  const scopes = spec?.scopes ?? [];
  const description = [
    spec?.description,
    scopes.length > 0 ? `Scopes: ${scopes.map((s) => `\`${s}\``).join(', ')}.` : undefined,
    route.auth === 'operator' ? 'Needs the operator key.' : undefined,
  ].filter((d) => d !== undefined);
  if (description.length > 0) op['description'] = description.join('\n\n');
  op['security'] = route.auth === 'none' ? [] : [{ bearer: [] }];

  const params = [
    ...parameters(components, 'path', spec?.path, pathNames),
    ...parameters(components, 'query', spec?.query, []),
    ...(spec?.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: components.convert(h.schema, 'input'),
    })),
  ];
  if (params.length > 0) op['parameters'] = params;
  if (spec?.body) {
    op['requestBody'] = {
      required: !spec.bodyOptional,
      content: { 'application/json': { schema: components.convert(spec.body, 'input') } },
    };
  } else if (spec?.binaryBody) {
    // Raw bytes: OpenAPI 3.1 describes binary content by its media type alone, without a schema.
    op['requestBody'] = {
      required: true,
      description: spec.binaryBody.description,
      content: { 'application/octet-stream': {}, '*/*': {} },
    };
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(spec?.responses ?? { 200: { description: 'Success' } })) {
    responses[status] = response(components, r);
  }
  for (const status of errorStatuses(route, spec)) {
    const headers =
      status === 429
        ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
        : status === 401
          ? { headers: { 'WWW-Authenticate': { description: '`Bearer`', schema: { type: 'string' } } } }
          : {};
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      ...headers,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  op['responses'] = responses;
  return op;
}

/** Builds the document; `operations` must only name routes of `routes` (the unit test checks). */
export function buildOpenApiDocument(
  routes: readonly HttpRouteDefinition[],
  operations: readonly OperationSpec[],
  info: DocumentInfo,
): JsonSchema {
  const components = new SchemaComponents();
  const specs = new Map(operations.map((o) => [o.routeKey, o]));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const parsed = methodAndPath(route.routeKey);
    if (!parsed) continue; // $default: not an operation
    const names = [...parsed.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
    paths[parsed.path] ??= {};
    paths[parsed.path]![parsed.method] = operation(components, route, names, specs.get(route.routeKey));
  }
  components.schemas['Problem'] = components.convert(ProblemSchema, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description:
        'Multi-tenant WhatsApp API. Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 ' +
        'problem documents.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`wak_...`)' } },
      schemas: components.schemas,
    },
  };
}
