import * as z from 'zod';

/**
 * Typed errors that map one-to-one to RFC 9457 problem documents. Use cases throw these; the HTTP layer turns
 * them into `application/problem+json`. Anything else is treated as a bug and becomes a bare 500.
 */

/** Every problem `type` is this base plus a slug; the URI names a documentation page, it is never fetched. */
export const PROBLEM_TYPE_BASE = 'https://docs.wa-platform.dev/problems/';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ValidationLocationSchema = z.enum(['body', 'query', 'path', 'header']);
export type ValidationLocation = z.infer<typeof ValidationLocationSchema>;

/**
 * One invalid input. Body errors carry an RFC 6901 JSON pointer (`/text/body`); query, path and header errors
 * carry the parameter name in `field`, because a pointer into a query string means nothing to a client.
 */
export const FieldErrorSchema = z.object({
  location: ValidationLocationSchema,
  pointer: z.string().optional(),
  field: z.string().optional(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(FieldErrorSchema).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export interface AppErrorOptions {
  cause?: unknown;
  instance?: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Last segment of the problem type URI; stable, clients may switch on it. */
  abstract readonly slug: string;
  abstract readonly title: string;
  readonly detail: string;
  readonly instance: string | undefined;

  constructor(detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    // Subclass name in logs and stack traces instead of a bare `Error`.
    this.name = new.target.name;
    this.detail = detail;
    this.instance = options.instance;
  }

  get type(): string {
    return PROBLEM_TYPE_BASE + this.slug;
  }

  /** Response headers the status requires (Retry-After, WWW-Authenticate). */
  headers(): Record<string, string> {
    return {};
  }

  toProblem(): Problem {
    const problem: Problem = { type: this.type, title: this.title, status: this.status, detail: this.detail };
    if (this.instance !== undefined) problem.instance = this.instance;
    return problem;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly slug = 'validation-error';
  readonly title = 'Your request is not valid';
  readonly errors: FieldError[];

  constructor(errors: FieldError[], detail?: string, options?: AppErrorOptions) {
    super(detail ?? describeFieldErrors(errors), options);
    this.errors = errors;
  }

  override toProblem(): Problem {
    return { ...super.toProblem(), errors: this.errors };
  }
}

/** The body is not parseable at all (malformed JSON, bad base64); nothing to point a field error at. */
export class BadRequestError extends AppError {
  readonly status = 400;
  readonly slug = 'bad-request';
  readonly title = 'Malformed request';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly slug = 'unauthorized';
  readonly title = 'Unauthorized';

  constructor(
    detail = 'A valid API key is required: Authorization: Bearer <key>',
    options?: AppErrorOptions,
  ) {
    super(detail, options);
  }

  // RFC 9110 requires a challenge on every 401.
  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Bearer' };
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly slug = 'forbidden';
  readonly title = 'Forbidden';
}

/** Also used for another tenant's resources, so their existence is not revealed. */
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly slug = 'conflict';
  readonly title = 'Conflict';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly slug = 'payload-too-large';
  readonly title = 'Payload too large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly slug = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly slug = 'rate-limited';
  readonly title = 'Too many requests';
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, detail?: string, options?: AppErrorOptions) {
    // Retry-After is whole seconds; rounding up keeps a well-behaved client from retrying too early.
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(detail ?? `Rate limit exceeded; retry after ${seconds} s`, options);
    this.retryAfterSeconds = seconds;
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/**
 * A plan limit (e.g. `maxSessions`) is reached. 403 rather than 429: waiting does not help, the tenant has to
 * free something or get a higher limit.
 */
export class QuotaExceededError extends AppError {
  readonly status = 403;
  readonly slug = 'quota-exceeded';
  readonly title = 'Quota exceeded';
}

export class InternalError extends AppError {
  readonly status = 500;
  readonly slug = 'internal-error';
  readonly title = 'Internal server error';

  constructor(options?: AppErrorOptions) {
    // A fixed text: whatever the cause says (SQL, ARNs, stack) stays in the logs.
    super('An unexpected error occurred. Retry later; if it persists, contact support.', options);
  }
}

/** RFC 6901: `~` and `/` inside a segment are escaped so the pointer stays unambiguous. */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path.map((seg) => '/' + String(seg).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

function fieldError(location: ValidationLocation, path: readonly PropertyKey[], message: string): FieldError {
  return location === 'body'
    ? { location, pointer: toJsonPointer(path), message }
    : { location, field: path.map(String).join('.'), message };
}

/** One FieldError per offending field; an unknown-keys issue becomes one error per unknown key. */
export function validationErrorFromZod(error: z.ZodError, location: ValidationLocation): ValidationError {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push(fieldError(location, [...issue.path, key], 'unknown field'));
    } else {
      errors.push(fieldError(location, issue.path, issue.message));
    }
  }
  return new ValidationError(errors);
}

function describeFieldErrors(errors: readonly FieldError[]): string {
  if (errors.length === 0) return 'The request is not valid';
  const names = errors.map((e) =>
    e.location === 'body' ? e.pointer || '(body)' : `${e.location} ${e.field}`,
  );
  const unique = [...new Set(names)];
  return `${unique.length} invalid field${unique.length === 1 ? '' : 's'}: ${unique.join(', ')}`;
}

/** Maps any thrown value to an AppError; unknown values become InternalError carrying the original as cause. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // A ZodError reaching the edge came from parsing request input in handler code; stored-data parsing must
  // wrap its own failures, or they would surface as a client's 400.
  if (err instanceof z.ZodError) return validationErrorFromZod(err, 'body');
  return new InternalError({ cause: err });
}

export function toProblem(err: unknown, instance?: string): Problem {
  const problem = toAppError(err).toProblem();
  if (instance !== undefined && problem.instance === undefined) problem.instance = instance;
  return problem;
}
