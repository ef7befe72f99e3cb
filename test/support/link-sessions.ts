/**
 * What the end-to-end pool tests set up first: a tenant made through the operator API, and sessions created and
 * linked by QR through the API (one per account), waited for until connected.
 */
import { expect } from 'vitest';
import type { RunningLocalProduct } from '../../local/product.js';
import { ApiClient, eventually } from './api-client.js';
import { scanApiQr } from './scan-api-qr.js';

/** A new tenant with room for the test's sessions and sends; its API client. */
export async function createTenant(product: RunningLocalProduct, name: string): Promise<ApiClient> {
  const operator = new ApiClient(product.stack.apiUrl, product.stack.operatorKey);
  const made = await operator.post<{ apiKey: { key: string } }>('/v1/tenants', {
    name,
    limits: { maxSessions: 10, sendsPerMinute: 6000, requestsPerMinute: 100_000 },
  });
  expect(made.status).toBe(201);
  return new ApiClient(product.stack.apiUrl, made.body.apiKey.key);
}

export interface LinkedSessions {
  /** Session ids, in the order of the accounts. */
  readonly sessions: string[];
  /** Session id -> the account's digits (as the simulator names it). */
  readonly accountOf: Map<string, string>;
}

/** Creates one session per account (E.164), links all by QR at once, and waits until each is connected. */
export async function linkSessions(
  product: RunningLocalProduct,
  api: ApiClient,
  accounts: readonly string[],
): Promise<LinkedSessions> {
  const sim = product.simulator!;
  const sessions: string[] = [];
  const accountOf = new Map<string, string>();
  for (const account of accounts) {
    const created = await api.post<{ id: string }>('/v1/sessions', { name: account });
    expect(created.status).toBe(201);
    sessions.push(created.body.id);
    accountOf.set(created.body.id, account.slice(1));
  }
  await Promise.all(sessions.map((id) => scanApiQr(sim, api, id, accountOf.get(id)!)));
  await Promise.all(
    sessions.map((id) =>
      eventually(
        `${id} connected`,
        async () =>
          (await api.get<{ status: string }>(`/v1/sessions/${id}`)).body.status === 'connected'
            ? true
            : undefined,
        60_000,
      ),
    ),
  );
  return { sessions, accountOf };
}
