/**
 * How a route describes itself in the OpenAPI document. Each area contributes a list of `OperationSpec`s
 * (`control-plane-operations.ts`, `webhook-operations.ts`), keyed by the same route key as `HTTP_ROUTES`; the
 * document is generated from the route list, so a route without a spec still appears (with a generic
 * description) and a spec without a route is a bug the unit test catches.
 */
import type { z } from 'zod';
import type { Scope } from '../../../shared/domain/api-key.js';

export interface ResponseSpec {
  readonly description: string;
  /** JSON body schema (zod). Omit for an empty body. */
  readonly schema?: z.ZodType;
  /**
   * Default `application/json`; e.g. `image/png` for binary answers (described as a binary string), or a media
   * range with a wildcard (any type) for bytes of whatever type the object has (no schema).
   */
  readonly contentType?: string;
  /** Other media types the same status may answer with (binary), e.g. `['image/png']` for `?format=png`. */
  readonly alsoAs?: readonly string[];
  /** Response headers worth documenting (e.g. `Location`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestHeaderSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly schema: z.ZodType;
}

export interface OperationSpec {
  /** Exactly a `routeKey` of `HTTP_ROUTES`, e.g. `GET /v1/sessions/{sessionId}`. */
  readonly routeKey: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Scopes the API key needs (documentation; the route enforces them). */
  readonly scopes?: readonly Scope[];
  readonly path?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: readonly RequestHeaderSpec[];
  readonly body?: z.ZodType;
  /** The body may be omitted entirely. */
  readonly bodyOptional?: boolean;
  /** The body is raw bytes (a file upload) of any media type, not JSON; mutually exclusive with `body`. */
  readonly binaryBody?: { readonly description: string };
  /** Success answers by status. Error answers (problem documents) are added from the route's auth and inputs. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Extra error statuses this operation can answer besides the standard ones (e.g. 409, 429, 504). */
  readonly errors?: readonly number[];
}
