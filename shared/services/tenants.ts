/** Tenants and their API keys (operator and `keys:manage` routes). */
import {
  ALL_SCOPES,
  ApiKeySchema,
  generateApiKey,
  type ApiKey,
  type CreateApiKeyRequest,
  type Scope,
} from '../domain/api-key.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import { newId, nowIso } from '../domain/ids.js';
import type { CreateTenantRequest, Tenant, TenantWithUsage, UpdateTenantRequest } from '../domain/tenant.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { ControlPlaneDeps } from './deps.js';
import { mapPage, toApiKeyView, type ApiKeyView, type CreatedApiKey } from './views.js';

type Deps = Pick<ControlPlaneDeps, 'repos' | 'now'>;

/** The first key may do everything, including minting narrower keys for the tenant's apps. */
export const FIRST_KEY_NAME = 'default';

export interface CreatedTenant {
  readonly tenant: Tenant;
  readonly apiKey: CreatedApiKey;
}

export async function createApiKey(
  deps: Deps,
  tenantId: string,
  request: { name: string; scopes: readonly Scope[] },
): Promise<CreatedApiKey> {
  const generated = generateApiKey();
  const apiKey: ApiKey = ApiKeySchema.parse({
    id: newId(deps.now()),
    tenantId,
    name: request.name,
    scopes: [...request.scopes],
    prefix: generated.prefix,
    createdAt: nowIso(new Date(deps.now())),
  });
  const stored = await deps.repos.apiKeys.create(apiKey, generated.hash);
  return { ...toApiKeyView(stored), key: generated.key };
}

export async function createTenant(deps: Deps, request: CreateTenantRequest): Promise<CreatedTenant> {
  const at = nowIso(new Date(deps.now()));
  const tenant = await deps.repos.tenants.create({
    id: newId(deps.now()),
    name: request.name,
    status: 'active',
    limits: request.limits,
    createdAt: at,
  });
  const apiKey = await createApiKey(deps, tenant.id, { name: FIRST_KEY_NAME, scopes: ALL_SCOPES });
  return { tenant, apiKey };
}

/** A tenant as the operator sees it; 404 when there is none. */
export async function getTenant(deps: Deps, tenantId: string): Promise<Tenant> {
  const tenant = await deps.repos.tenants.get(tenantId);
  if (!tenant) throw new NotFoundError(`No tenant ${tenantId}`);
  return tenant;
}

/**
 * A tenant with what it uses of its limits, read fresh (not the API's 10 s tenant cache): the operator's view,
 * and the caller's own (`GET /v1/tenant`). 404 when there is none.
 */
export async function getTenantWithUsage(deps: Deps, tenantId: string): Promise<TenantWithUsage> {
  const tenant = await deps.repos.tenants.getWithUsage(tenantId);
  if (!tenant) throw new NotFoundError(`No tenant ${tenantId}`);
  return tenant;
}

/**
 * Suspends or reactivates a tenant and changes some of its limits (the others stay). API containers cache a
 * tenant for a few seconds (functions/http/tenant-request.ts), so a change is in force everywhere within ~10 s.
 */
/**
 * Suspending also closes the tenant's open browser WebSockets at once (its keys stop working through the tenant
 * guard, but a socket, once open, is not asked again): every connection of the tenant, session and tenant-wide
 * (found through the connections' `byTenant` index), is deleted through the WebSocket API, so no further frame
 * reaches them.
 */
export async function updateTenant(
  deps: Deps & Pick<ControlPlaneDeps, 'sockets'>,
  tenantId: string,
  patch: UpdateTenantRequest,
): Promise<Tenant> {
  const current = await getTenant(deps, tenantId);
  const updated = await deps.repos.tenants.update(tenantId, {
    ...(patch.status === undefined ? {} : { status: patch.status }),
    ...(patch.limits === undefined ? {} : { limits: { ...current.limits, ...patch.limits } }),
  });
  if (updated.status === 'suspended') await deps.sockets.closeTenant(tenantId);
  return updated;
}

/**
 * A key mints only keys whose scopes are within its own (`callerScopes`): otherwise `keys:manage` alone would be
 * full access in disguise. 403 naming every scope refused.
 */
export function createTenantApiKey(
  deps: Deps,
  tenantId: string,
  request: CreateApiKeyRequest,
  callerScopes: readonly Scope[],
): Promise<CreatedApiKey> {
  const refused = request.scopes.filter((s) => !callerScopes.includes(s));
  if (refused.length > 0) {
    throw new ForbiddenError(
      `This API key cannot grant the scope(s) it does not hold: ${refused.join(', ')}`,
    );
  }
  return createApiKey(deps, tenantId, request);
}

export async function listApiKeys(
  deps: Deps,
  tenantId: string,
  page: PageRequest,
): Promise<Page<ApiKeyView>> {
  return mapPage(await deps.repos.apiKeys.listByTenant(tenantId, page), toApiKeyView);
}

export async function revokeApiKey(deps: Deps, tenantId: string, keyId: string): Promise<void> {
  try {
    await deps.repos.apiKeys.revoke(tenantId, keyId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError(`No API key ${keyId}`);
    throw error;
  }
}
