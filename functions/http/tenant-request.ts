/**
 * The guard every tenant route runs first (as its `authorize` step): the key's scopes (`requireTenant`), the
 * tenant itself (a suspended or deleted tenant's keys stop working), and the tenant's whole-API rate limit
 * (`limits.requestsPerMinute`, 429 with `Retry-After`). Webhook routes use it too.
 */
import { ForbiddenError, UnauthorizedError } from '../../shared/domain/errors.js';
import type { Scope } from '../../shared/domain/api-key.js';
import type { Tenant } from '../../shared/domain/tenant.js';
import { apiRequestsBucket, enforceRateLimit, rateLimitHeaders } from '../../shared/services/rate-limit.js';
import { requireTenant, type AuthorizedHttpEvent, type TenantCaller } from './auth-context.js';
import type { WithResponseHeaders } from './route.js';
import { controlPlane } from './runtime.js';

export interface TenantRequest extends WithResponseHeaders {
  readonly caller: TenantCaller;
  readonly tenant: Tenant;
}

/** Limits change rarely; a few seconds of staleness saves a read per request on a warm container. */
const TENANT_CACHE_MS = 10_000;
const tenantCache = new Map<string, { tenant: Tenant; until: number }>();

async function loadTenant(tenantId: string, now: number): Promise<Tenant | null> {
  const cached = tenantCache.get(tenantId);
  if (cached && cached.until > now) return cached.tenant;
  const tenant = await controlPlane().repos.tenants.get(tenantId);
  if (tenant) tenantCache.set(tenantId, { tenant, until: now + TENANT_CACHE_MS });
  else tenantCache.delete(tenantId);
  return tenant;
}

export async function authorizeTenant(
  event: AuthorizedHttpEvent,
  ...scopes: Scope[]
): Promise<TenantRequest> {
  const caller = requireTenant(event, ...scopes);
  const deps = controlPlane();
  const now = deps.now();
  const tenant = await loadTenant(caller.tenantId, now);
  if (!tenant) throw new UnauthorizedError('This API key belongs to no tenant');
  if (tenant.status !== 'active') throw new ForbiddenError('This tenant is suspended');
  const rate = await enforceRateLimit(
    deps.rateLimits,
    apiRequestsBucket(tenant.id),
    tenant.limits.requestsPerMinute,
    'Requests for this tenant',
    now,
  );
  // Every answer of the route tells the client where it stands in its whole-API window.
  return { caller, tenant, responseHeaders: rateLimitHeaders(rate) };
}

/** `authorize` step factory: `authorize: tenantWith('sessions:read')`. */
export const tenantWith =
  (...scopes: Scope[]) =>
  (event: AuthorizedHttpEvent): Promise<TenantRequest> =>
    authorizeTenant(event, ...scopes);
