/**
 * The authorizer's verdicts on tenant keys, kept in the container's memory for `APP_AUTH_CACHE_MS` (default
 * 5 s, 0 disables) per key hash: a warm container then answers a key it has just seen without the GetItem on
 * `apiKeys`. The price is the revocation delay: a revoked key keeps working in a container that saw it within
 * the last `APP_AUTH_CACHE_MS` (docs/security.md). Only accepted keys are kept (an unknown key is read every
 * time), an entry is never extended by use (it expires a fixed time after the read that filled it), and the
 * map is bounded.
 *
 * Why not API Gateway's authorizer cache (`resultTtlSeconds` stays 0): keyed on the identity source (the
 * `Authorization` header, so the key itself) it would keep the same verdicts and would also save the authorizer's
 * invocation, but it lives outside the code: the local gateway does not emulate it, so the revocation delay it
 * adds could be neither tested nor measured here, and the two caches' delays would add up. One cache, here.
 */
import * as z from 'zod';
import type { AuthorizerContext } from './auth-context.js';

export const AuthCacheConfigSchema = z.object({
  APP_AUTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
});

const MAX_ENTRIES = 10_000;

export class AuthorizerVerdictCache {
  private readonly entries = new Map<string, { context: AuthorizerContext; until: number }>();

  constructor(private readonly ttlMs: number) {}

  get(hash: string, now: number): AuthorizerContext | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.context;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, context: AuthorizerContext, now: number): void {
    if (this.ttlMs === 0) return;
    // Dropping everything at the bound is crude but safe: the next requests simply read their keys again.
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(hash, { context, until: now + this.ttlMs });
  }
}

let cache: { raw: string | undefined; cache: AuthorizerVerdictCache } | undefined;

/** The container's cache, built from the environment on first use (again if a test changed the variable). */
export function authorizerVerdictCache(): AuthorizerVerdictCache {
  const raw = process.env.APP_AUTH_CACHE_MS;
  if (cache === undefined || cache.raw !== raw) {
    const { APP_AUTH_CACHE_MS } = AuthCacheConfigSchema.parse({ APP_AUTH_CACHE_MS: raw });
    cache = { raw, cache: new AuthorizerVerdictCache(APP_AUTH_CACHE_MS) };
  }
  return cache.cache;
}
