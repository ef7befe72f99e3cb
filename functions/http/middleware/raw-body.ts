import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { MediaMimeTypeSchema } from '../../../shared/domain/media.js';
import { bodyBytes, getHeader } from './json-body.js';

/** A body taken as bytes (a file upload) with the media type its `Content-Type` declares. */
export interface RawBody {
  readonly bytes: Buffer;
  /** The `Content-Type` without parameters, lower-cased, validated as `type/subtype`. */
  readonly contentType: string;
}

export interface RawBodyOptions {
  /** Largest body accepted (413 beyond). A function is called per request, after `authorize`. */
  readonly maxBytes: number | (() => number);
  /** Appended to the 413's detail, e.g. what to do instead. */
  readonly tooLargeHint?: string;
}

/**
 * What a raw body must not be labelled: structured payloads sent to a file upload by mistake (a JSON wrapper, a
 * browser form). Their bytes would be stored as the file.
 */
const STRUCTURED = /^(multipart\/[\w.+-]+|application\/x-www-form-urlencoded|application\/([\w.-]+\+)?json)$/;

function contentTypeError(message: string): ValidationError {
  return new ValidationError([{ location: 'header', field: 'Content-Type', message }]);
}

/**
 * Reads the body as the file's bytes: the `Content-Type` must name the file's media type (400 when missing or
 * malformed, 415 for JSON, forms and multipart), the body must not be empty (400) nor over the limit (413).
 * Base64 is decoded when API Gateway says so (binary content types), so the bytes are exactly what was sent.
 */
export function parseRawBody(event: APIGatewayProxyEventV2, options: RawBodyOptions): RawBody {
  const header = getHeader(event, 'content-type')?.trim();
  if (!header) throw contentTypeError("is required: the file's media type, e.g. image/jpeg");
  const mediaType = (header.split(';')[0] ?? '').trim().toLowerCase();
  if (STRUCTURED.test(mediaType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${mediaType} is not accepted here: send the file's own bytes as the body, with its ` +
        'media type as Content-Type (e.g. image/jpeg)',
    );
  }
  const parsed = MediaMimeTypeSchema.safeParse(mediaType);
  if (!parsed.success) throw contentTypeError(parsed.error.issues[0]?.message ?? 'is not a media type');

  const bytes = bodyBytes(event);
  if (bytes === undefined || bytes.byteLength === 0) {
    throw new BadRequestError("The request body is empty: send the file's bytes");
  }
  const maxBytes = typeof options.maxBytes === 'function' ? options.maxBytes() : options.maxBytes;
  if (bytes.byteLength > maxBytes) {
    const hint = options.tooLargeHint ? ` ${options.tooLargeHint}` : '';
    throw new PayloadTooLargeError(
      `The request body is ${bytes.byteLength} bytes; the limit is ${maxBytes} bytes.${hint}`,
    );
  }
  return { bytes, contentType: parsed.data };
}
