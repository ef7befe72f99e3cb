import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../../../functions/http/openapi/document.js';
import { ALL_OPERATIONS } from '../../../../../functions/http/openapi/operations.js';
import { HTTP_ROUTES } from '../../../../../shared/definitions/http-routes.js';

const document = buildOpenApiDocument(HTTP_ROUTES, ALL_OPERATIONS, { title: 'test', version: '1' });
type Paths = Record<string, Record<string, Record<string, unknown>>>;
const paths = document['paths'] as Paths;

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has an operation for every route but $default', () => {
    for (const route of HTTP_ROUTES.filter((r) => r.routeKey !== '$default')) {
      const [method = '', path = ''] = route.routeKey.split(' ');
      expect(paths[path]?.[method.toLowerCase()], route.routeKey).toBeDefined();
    }
  });

  it('every registered operation names a real route, once', () => {
    const keys = new Set(HTTP_ROUTES.map((r) => r.routeKey));
    for (const op of ALL_OPERATIONS) expect(keys.has(op.routeKey), op.routeKey).toBe(true);
    expect(new Set(ALL_OPERATIONS.map((o) => o.routeKey)).size).toBe(ALL_OPERATIONS.length);
    expect(new Set(ALL_OPERATIONS.map((o) => o.operationId)).size).toBe(ALL_OPERATIONS.length);
  });

  it('describes the send body from the zod schema, the Idempotency-Key header and bearer security', () => {
    const send = paths['/v1/sessions/{sessionId}/messages']?.['post'] as {
      requestBody: { content: { 'application/json': { schema: { oneOf: unknown[] } } } };
      parameters: { name: string; in: string }[];
      security: unknown[];
      responses: Record<string, unknown>;
    };
    expect(send.requestBody.content['application/json'].schema.oneOf).toHaveLength(10);
    expect(send.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'sessionId', in: 'path' }),
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
      ]),
    );
    expect(send.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(send.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '404', '409', '429']),
    );
    const health = paths['/v1/health']?.['get'] as { security: unknown[] };
    expect(health.security).toEqual([]);
  });

  it('documents the QR as JSON and as a PNG', () => {
    const qr = paths['/v1/sessions/{sessionId}/qr']?.['get'] as { responses: { 200: { content: object } } };
    expect(Object.keys(qr.responses[200].content)).toEqual(['application/json', 'image/png']);
  });

  it('documents the media upload as a binary body of any type and the download as bytes of any type', () => {
    type Op = {
      requestBody?: { required: boolean; content: Record<string, unknown> };
      responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
      parameters?: { name: string; in: string }[];
    };
    const upload = paths['/v1/media']?.['post'] as Op;
    expect(upload.requestBody?.required).toBe(true);
    expect(Object.keys(upload.requestBody?.content ?? {})).toEqual(['application/octet-stream', '*/*']);
    expect(Object.keys(upload.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '413', '415', '429']),
    );
    expect(upload.responses['201']?.headers).toHaveProperty('Location');
    const download = paths['/v1/media/{mediaId}']?.['get'] as Op;
    expect(Object.keys(download.responses['200']?.content ?? {})).toEqual(['*/*']);
    expect(download.responses['200']?.headers).toHaveProperty('Content-Disposition');
    expect(download.parameters).toEqual([expect.objectContaining({ name: 'mediaId', in: 'path' })]);
    expect(Object.keys(download.responses)).toEqual(expect.arrayContaining(['400', '404', '409']));
  });

  it("states the free-form metadata's bounds: depth, keys (maxProperties) and size", () => {
    const text = JSON.stringify(paths['/v1/sessions/{sessionId}/messages']?.['post']);
    expect(text).toContain('"maxProperties":64');
    expect(text).toContain('at most 8 levels deep, 64 keys in total and 2048 bytes as JSON');
  });

  it('hoists recursive schemas (metadata JSON) into components with resolvable refs', () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain('#/$defs/');
    const schemas = (document['components'] as { schemas: Record<string, unknown> }).schemas;
    for (const ref of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(schemas[ref[1]!], ref[1]).toBeDefined();
    }
  });
});
