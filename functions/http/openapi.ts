import { HTTP_ROUTES } from '../../shared/definitions/http-routes.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { ALL_OPERATIONS } from './openapi/operations.js';
import { httpRoute } from './route.js';

let document: Record<string, unknown> | undefined;

/** `GET /v1/openapi.json`: generated from the route list and the zod schemas, once per container. */
export const handler = httpRoute({
  handler: () => {
    document ??= buildOpenApiDocument(HTTP_ROUTES, ALL_OPERATIONS, {
      title: 'WhatsApp platform API',
      version: process.env.APP_VERSION ?? '0.1.0',
    });
    return document;
  },
});
