import * as z from 'zod';
import { IdSchema, TimestampSchema } from './ids.js';

export const TenantStatusSchema = z.enum(['active', 'suspended']);
export type TenantStatus = z.infer<typeof TenantStatusSchema>;

/** Defaults for a tenant created without explicit limits; conservative because bursts get numbers banned. */
export const DEFAULT_TENANT_LIMITS = { maxSessions: 5, sendsPerMinute: 60, requestsPerMinute: 600 } as const;

const MaxSessionsSchema = z.number().int().min(0).max(10_000);
/** Per session: WhatsApp watches per-account pace, not per-tenant totals. */
const SendsPerMinuteSchema = z.number().int().min(1).max(6_000);
/** Per tenant, all API keys together. */
const RequestsPerMinuteSchema = z.number().int().min(1).max(100_000);

export const TenantLimitsSchema = z
  .strictObject({
    maxSessions: MaxSessionsSchema.default(DEFAULT_TENANT_LIMITS.maxSessions),
    sendsPerMinute: SendsPerMinuteSchema.default(DEFAULT_TENANT_LIMITS.sendsPerMinute),
    requestsPerMinute: RequestsPerMinuteSchema.default(DEFAULT_TENANT_LIMITS.requestsPerMinute),
  })
  // prefault: a missing `limits` object still runs through the field defaults above.
  .prefault({});
export type TenantLimits = z.infer<typeof TenantLimitsSchema>;

export const TenantNameSchema = z.string().trim().min(1, 'must not be empty').max(100);

export const TenantSchema = z.object({
  id: IdSchema,
  name: TenantNameSchema,
  status: TenantStatusSchema,
  limits: TenantLimitsSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema.optional(),
});
export type Tenant = z.infer<typeof TenantSchema>;

/** What the tenant uses of its limits now: sessions counted against `maxSessions`. */
export const TenantUsageSchema = z.object({ sessions: z.number().int().min(0) });
/** A tenant with its usage (`GET /v1/tenant`, `GET /v1/tenants/{tenantId}`). */
export const TenantWithUsageSchema = TenantSchema.extend({ usage: TenantUsageSchema });
export type TenantWithUsage = z.infer<typeof TenantWithUsageSchema>;

/** `POST /v1/tenants` (operator key). */
export const CreateTenantRequestSchema = z.strictObject({
  name: TenantNameSchema,
  limits: TenantLimitsSchema,
});
export type CreateTenantRequest = z.infer<typeof CreateTenantRequestSchema>;

/** `PATCH /v1/tenants/{tenantId}` (operator key): suspend or reactivate, change some limits; the rest stays. */
export const UpdateTenantRequestSchema = z
  .strictObject({
    status: TenantStatusSchema.optional(),
    limits: z
      .strictObject({
        maxSessions: MaxSessionsSchema.optional(),
        sendsPerMinute: SendsPerMinuteSchema.optional(),
        requestsPerMinute: RequestsPerMinuteSchema.optional(),
      })
      .optional(),
  })
  .refine((patch) => patch.status !== undefined || patch.limits !== undefined, {
    message: 'give status or limits',
  });
export type UpdateTenantRequest = z.infer<typeof UpdateTenantRequestSchema>;
