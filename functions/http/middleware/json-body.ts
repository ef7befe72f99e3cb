import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/index.js';
import { MAX_JSON_BODY_DEPTH, findTooDeep } from './json-depth.js';

/**
 * JSON bodies of this API are small (the largest is a send request with 2 KB metadata); media goes by id or
 * URL. A tight cap refuses abuse before parsing, far below API Gateway's own 10 MB.
 */
export const DEFAULT_MAX_JSON_BODY_BYTES = 256 * 1024;

export interface JsonBodyOptions {
  maxBytes?: number;
}

export type EventWithJsonBody<TEvent extends APIGatewayProxyEventV2 = APIGatewayProxyEventV2> = TEvent & {
  /** Parsed body; undefined when the request had none. */
  jsonBody: unknown;
};

/** HTTP API v2 lower-cases header names, but other callers (tests, proxies) may not. */
export function getHeader(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** `application/json` or any `application/<x>+json`, with no charset other than UTF-8 (RFC 8259 says UTF-8). */
function isJsonContentType(header: string): boolean {
  const [mediaType = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (!/^application\/([\w.-]+\+)?json$/.test(mediaType)) return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return charset === undefined || /^charset="?utf-8"?$/.test(charset);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body's bytes as the client sent them: base64 is decoded when API Gateway says so (binary content types),
 * text bodies are UTF-8. Undefined when the request had none; a 400 for base64 that does not decode.
 */
export function bodyBytes(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
): Buffer | undefined {
  const raw = event.body;
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (!event.isBase64Encoded) return Buffer.from(raw, 'utf8');
  const compact = raw.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new BadRequestError('The request body is not valid base64');
  }
  return Buffer.from(compact, 'base64');
}

/**
 * Reads the body as JSON: base64 is decoded when API Gateway says so, size, content type and nesting depth are
 * checked before parsing, and every failure is a typed error (413, 415, 400), never a crash.
 */
export function parseJsonBody(event: APIGatewayProxyEventV2, options: JsonBodyOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BODY_BYTES;
  const bytes = bodyBytes(event);
  if (bytes === undefined) return undefined;
  if (bytes.byteLength > maxBytes) {
    throw new PayloadTooLargeError(`The request body is ${bytes.byteLength} bytes; the limit is ${maxBytes}`);
  }

  const contentType = getHeader(event, 'content-type');
  if (contentType === undefined || !isJsonContentType(contentType)) {
    throw new UnsupportedMediaTypeError('Send the body as JSON with Content-Type: application/json');
  }

  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BadRequestError('The request body is not valid UTF-8');
  }
  // Before the parse: a deep value would overflow the stack of whatever walks it next (zod, marshalling).
  const tooDeep = findTooDeep(text);
  if (tooDeep) {
    throw new ValidationError([
      {
        location: 'body',
        pointer: tooDeep.pointer,
        message: `nested deeper than ${MAX_JSON_BODY_DEPTH} levels (the request body's limit)`,
      },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the input; the client has it already and logs should not get it.
    throw new BadRequestError('The request body is not valid JSON');
  }
}

/** Middy middleware: parses the body into `event.jsonBody`, leaving `event.body` as received. */
export function jsonBody<TEvent extends APIGatewayProxyEventV2>(
  options: JsonBodyOptions = {},
): MiddlewareObj<TEvent> {
  return {
    name: 'jsonBody',
    before: (request) => {
      const jsonBody = parseJsonBody(request.event, options);
      Object.assign(request.event, { jsonBody });
    },
  };
}
