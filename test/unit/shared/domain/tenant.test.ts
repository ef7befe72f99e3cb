import { describe, expect, it } from 'vitest';
import {
  CreateTenantRequestSchema,
  DEFAULT_TENANT_LIMITS,
  TenantSchema,
  newId,
} from '../../../../shared/domain/index.js';

describe('TenantSchema', () => {
  const tenant = { id: newId(), name: 'Acme', status: 'active', createdAt: new Date().toISOString() };

  it('fills default limits when none are stored', () => {
    expect(TenantSchema.parse(tenant).limits).toEqual(DEFAULT_TENANT_LIMITS);
  });

  it('fills the missing limits only', () => {
    expect(TenantSchema.parse({ ...tenant, limits: { maxSessions: 50 } }).limits).toEqual({
      ...DEFAULT_TENANT_LIMITS,
      maxSessions: 50,
    });
  });

  it.each([
    ['unknown status', { status: 'deleted' }],
    ['negative maxSessions', { limits: { maxSessions: -1 } }],
    ['fractional rate', { limits: { sendsPerMinute: 1.5 } }],
    ['zero request rate', { limits: { requestsPerMinute: 0 } }],
    ['unknown limit', { limits: { maxUsers: 3 } }],
    ['empty name', { name: '' }],
    ['missing createdAt', { createdAt: undefined }],
  ])('refuses %s', (_label, patch) => {
    expect(TenantSchema.safeParse({ ...tenant, ...patch }).success).toBe(false);
  });

  it('validates the create request', () => {
    expect(CreateTenantRequestSchema.parse({ name: ' Acme ' })).toEqual({
      name: 'Acme',
      limits: DEFAULT_TENANT_LIMITS,
    });
    expect(CreateTenantRequestSchema.safeParse({}).success).toBe(false);
    expect(CreateTenantRequestSchema.safeParse({ name: 'a', status: 'active' }).success).toBe(false);
  });
});
