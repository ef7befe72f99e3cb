/** Tenants: the unit of isolation and of plan limits. */
import type { Tenant, TenantLimits, TenantStatus, TenantWithUsage } from '../domain/tenant.js';

export interface TenantPatch {
  readonly limits?: TenantLimits;
  readonly status?: TenantStatus;
}

export interface TenantRepository {
  /**
   * Idempotent on id: the same tenant again (name, status, limits) is a no-op returning the stored one, so an
   * operator's retried request is safe; different content under that id is a `ConflictError`.
   */
  create(tenant: Tenant): Promise<Tenant>;
  get(tenantId: string): Promise<Tenant | null>;
  /** The tenant and its usage (the session count the quota keeps on the same item), in one consistent read. */
  getWithUsage(tenantId: string): Promise<TenantWithUsage | null>;
  /** `NotFoundError` when missing. */
  update(tenantId: string, patch: TenantPatch): Promise<Tenant>;
}
