/**
 * The typed API client: `openapi-fetch` over the types generated from the OpenAPI document
 * (`schema.d.ts`), so every path, body and answer the console uses is checked against the real API.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export type ApiClient = ReturnType<typeof createClient<paths>>;

/** An API error as the console shows it: the problem document's title and detail, and the fields named. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(message);
  }
}

interface ProblemLike {
  title?: string;
  detail?: string;
  errors?: { pointer?: string; detail?: string }[];
}

export function createApiClient(baseUrl: string, apiKey: string): ApiClient {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** The answer's data, or an `ApiError` built from its problem document. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem = (result.error ?? {}) as ProblemLike;
    const fields = (problem.errors ?? []).map((e) => `${e.pointer ?? ''} ${e.detail ?? ''}`.trim());
    const message = problem.detail ?? problem.title ?? `HTTP ${result.response.status}`;
    throw new ApiError(result.response.status, message, fields);
  }
  return result.data as T;
}
