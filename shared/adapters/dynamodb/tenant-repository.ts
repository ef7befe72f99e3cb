import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { nowIso } from '../../domain/ids.js';
import { TenantSchema, type Tenant, type TenantWithUsage } from '../../domain/tenant.js';
import type { TenantPatch, TenantRepository } from '../../ports/tenant-repository.js';
import {
  isConditionFailed,
  setClauses,
  tableName,
  toDomain,
  type DynamoContext,
  type Item,
} from './items.js';

export class DynamoTenantRepository implements TenantRepository {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'tenants');
  }

  async create(tenant: Tenant): Promise<Tenant> {
    const { id, ...rest } = TenantSchema.parse(tenant);
    const item: Item = { ...rest, tenantId: id };
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(tenantId)',
        }),
      );
      return fromItem(item);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.get(id);
    if (existing && sameContent(existing, tenant)) return existing;
    throw new ConflictError(`tenant ${id} already exists with different content`);
  }

  async get(tenantId: string): Promise<Tenant | null> {
    const item = await this.read(tenantId);
    return item ? fromItem(item) : null;
  }

  async getWithUsage(tenantId: string): Promise<TenantWithUsage | null> {
    const item = await this.read(tenantId);
    if (!item) return null;
    // `sessionCount` is written by the session quota (session-quota.ts); missing means none counted yet.
    const sessions = typeof item['sessionCount'] === 'number' ? Math.max(0, item['sessionCount']) : 0;
    return { ...fromItem(item), usage: { sessions } };
  }

  private async read(tenantId: string): Promise<Item | undefined> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { tenantId }, ConsistentRead: true }),
    );
    return out.Item;
  }

  async update(tenantId: string, patch: TenantPatch): Promise<Tenant> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set = setClauses({ ...patch, updatedAt: nowIso() }, names, values);
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { tenantId },
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: 'attribute_exists(tenantId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`tenant ${tenantId} not found`);
      throw error;
    }
  }
}

function fromItem(item: Item): Tenant {
  return toDomain(TenantSchema, item, { internal: ['sessionCount'], rename: { tenantId: 'id' } });
}

/** Timestamps are the server's, so a retried create may carry new ones; what the operator asked for must match. */
function sameContent(a: Tenant, b: Tenant): boolean {
  return a.name === b.name && a.status === b.status && isDeepStrictEqual(a.limits, b.limits);
}
