import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ApiKeySchema, type ApiKey } from '../../domain/api-key.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { TABLES } from '../../definitions/tables.js';
import type { ApiKeyRepository } from '../../ports/api-key-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isConditionFailed, pageSize, tableName, toDomain, type DynamoContext, type Item } from './items.js';

const byTenant = TABLES.apiKeys.globalIndexes.find((i) => i.indexName === 'byTenant')!;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** How stale `lastUsedAt` may be: precise enough for "unused for 90 days" clean-ups, and one write a minute. */
const LAST_USED_GRANULARITY_MS = 60_000;

export class DynamoApiKeyRepository implements ApiKeyRepository {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'apiKeys');
  }

  async create(apiKey: ApiKey, keyHash: string): Promise<ApiKey> {
    assertHash(keyHash);
    const { id, ...rest } = ApiKeySchema.parse(apiKey);
    const item: Item = { ...rest, keyId: id, keyHash };
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(keyHash)',
        }),
      );
      return fromItem(item);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.findByHash(keyHash);
    if (existing && existing.id === id && existing.tenantId === apiKey.tenantId) return existing;
    throw new ConflictError('an API key with this hash already exists');
  }

  async findByHash(keyHash: string): Promise<ApiKey | null> {
    // A malformed hash cannot match; answering null keeps auth a plain 401 path.
    if (!HASH_PATTERN.test(keyHash)) return null;
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { keyHash }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async listByTenant(tenantId: string, page: PageRequest = {}): Promise<Page<ApiKey>> {
    // DynamoDB's own resume key for this index would carry `keyHash`; the cursor holds only the last key id and
    // resumes with a sort-key condition, so no hash ever leaves the platform.
    // Bound to the tenant: another tenant's cursor is a 400, not a page of the caller's own keys.
    const shape = { attributes: [byTenant.sortKey!], binding: { list: 'apiKeys', tenantId } };
    const secret = this.ctx.config.APP_CURSOR_SECRET;
    const after = decodeCursor(page.cursor, shape, secret)?.keyId;
    const limit = pageSize(page.limit);
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byTenant',
        KeyConditionExpression: after === undefined ? 'tenantId = :t' : 'tenantId = :t AND keyId > :after',
        ExpressionAttributeValues: { ':t': tenantId, ...(after === undefined ? {} : { ':after': after }) },
        Limit: limit,
      }),
    );
    const items = (out.Items ?? []).map(fromItem);
    const last = items.at(-1);
    const cursor = out.LastEvaluatedKey && last ? encodeCursor({ keyId: last.id }, shape, secret) : undefined;
    return cursor ? { items, cursor } : { items };
  }

  async revoke(tenantId: string, keyId: string): Promise<void> {
    // The table is keyed by hash; the tenant's index maps (tenant, key id) to it, scoped to the caller's tenant.
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byTenant',
        KeyConditionExpression: 'tenantId = :t AND keyId = :k',
        ExpressionAttributeValues: { ':t': tenantId, ':k': keyId },
        ProjectionExpression: 'keyHash',
      }),
    );
    const keyHash = out.Items?.[0]?.keyHash;
    if (typeof keyHash !== 'string') throw new NotFoundError(`API key ${keyId} not found`);
    try {
      await this.ctx.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { keyHash },
          ConditionExpression: 'tenantId = :t AND keyId = :k',
          ExpressionAttributeValues: { ':t': tenantId, ':k': keyId },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`API key ${keyId} not found`);
      throw error;
    }
  }

  async touchLastUsed(keyHash: string, at: Date): Promise<void> {
    if (!HASH_PATTERN.test(keyHash)) return;
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { keyHash },
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression:
            'attribute_exists(keyHash) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :stale)',
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':stale': new Date(at.getTime() - LAST_USED_GRANULARITY_MS).toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}

function assertHash(keyHash: string): void {
  // Guards against a caller handing over the plaintext key by mistake: it would then be stored as the key.
  if (!HASH_PATTERN.test(keyHash)) {
    throw new Error('keyHash must be a SHA-256 hex digest, never the key itself');
  }
}

function fromItem(item: Item): ApiKey {
  return toDomain(ApiKeySchema, item, { internal: ['keyHash'], rename: { keyId: 'id' } });
}
