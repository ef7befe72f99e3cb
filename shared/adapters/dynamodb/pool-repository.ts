/**
 * Pools in DynamoDB (`pools`: the pool and its members' loads; `poolAssignments`: one item per pool and
 * contact). The pool send's routing inputs come back from one strongly consistent BatchGetItem.
 */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import {
  PoolAssignmentSchema,
  PoolMemberLoadSchema,
  PoolSchema,
  type Pool,
  type PoolAssignment,
  type PoolMemberLoad,
} from '../../domain/pool.js';
import type { Session } from '../../domain/session.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import type { PoolRepository, PoolRoutingState } from '../../ports/pool-repository.js';
import { batchWriteAll } from './batch-write.js';
import {
  isConditionFailed,
  queryAll,
  queryPage,
  tableName,
  toDomain,
  type DynamoContext,
  type Item,
} from './items.js';
import { fromItem as sessionFromItem } from './session-repository.js';

const POOL_PREFIX = 'pool#';
export const poolKey = (poolId: string): string => `${POOL_PREFIX}${poolId}`;
export const loadKey = (poolId: string, sessionId: string): string => `load#${poolId}#${sessionId}`;

const MAX_UNPROCESSED_ROUNDS = 8;

function poolFromItem(item: Item): Pool {
  return toDomain(PoolSchema, item, { internal: ['itemKey'], rename: { poolId: 'id' } });
}

function poolToItem(pool: Pool): Item {
  const { id, ...rest } = PoolSchema.parse(pool);
  return { ...rest, poolId: id, itemKey: poolKey(id) };
}

export function assignmentFromItem(item: Item): PoolAssignment {
  return toDomain(PoolAssignmentSchema, item);
}

function loadFromItem(item: Item): PoolMemberLoad {
  return toDomain(PoolMemberLoadSchema, item, {
    internal: ['tenantId', 'itemKey', 'poolId', 'sessionId'],
  });
}

export class DynamoPoolRepository implements PoolRepository {
  private readonly pools: string;
  private readonly assignments: string;
  private readonly sessions: string;

  constructor(private readonly ctx: DynamoContext) {
    this.pools = tableName(ctx, 'pools');
    this.assignments = tableName(ctx, 'poolAssignments');
    this.sessions = tableName(ctx, 'sessions');
  }

  async create(pool: Pool): Promise<void> {
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.pools,
          Item: poolToItem(pool),
          ConditionExpression: 'attribute_not_exists(itemKey)',
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new ConflictError(`Pool ${pool.id} exists`);
      throw error;
    }
  }

  async get(tenantId: string, poolId: string): Promise<Pool | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: this.pools,
        Key: { tenantId, itemKey: poolKey(poolId) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? poolFromItem(out.Item) : null;
  }

  list(tenantId: string, page: PageRequest): Promise<Page<Pool>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.pools,
        KeyConditionExpression: 'tenantId = :t AND begins_with(itemKey, :p)',
        ExpressionAttributeValues: { ':t': tenantId, ':p': POOL_PREFIX },
      },
      {
        attributes: [
          { name: 'tenantId', type: 'S' },
          { name: 'itemKey', type: 'S' },
        ],
        fixed: { tenantId },
      },
      page,
      poolFromItem,
    );
  }

  async replace(pool: Pool, expectedUpdatedAt: string): Promise<boolean> {
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.pools,
          Item: poolToItem(pool),
          ConditionExpression: 'updatedAt = :expected',
          ExpressionAttributeValues: { ':expected': expectedUpdatedAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async delete(tenantId: string, poolId: string): Promise<void> {
    // Assignments first: a pool item left over after a crash can be deleted again, orphans could not be found.
    for (;;) {
      const out = await this.ctx.dynamo.send(
        new QueryCommand({
          TableName: this.assignments,
          KeyConditionExpression: 'poolId = :p',
          ExpressionAttributeValues: { ':p': poolId },
          ProjectionExpression: 'poolId, contact',
          Limit: 25,
        }),
      );
      const keys = out.Items ?? [];
      if (keys.length === 0) break;
      await batchWriteAll(
        this.ctx,
        this.assignments,
        keys.map((Key) => ({ DeleteRequest: { Key } })),
        'pool assignment(s)',
      );
    }
    const loads = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.pools,
        KeyConditionExpression: 'tenantId = :t AND begins_with(itemKey, :p)',
        ExpressionAttributeValues: { ':t': tenantId, ':p': `load#${poolId}#` },
        ProjectionExpression: 'tenantId, itemKey',
      }),
    );
    if ((loads.Items ?? []).length > 0) {
      await batchWriteAll(
        this.ctx,
        this.pools,
        (loads.Items ?? []).map((Key) => ({ DeleteRequest: { Key } })),
        'pool load(s)',
      );
    }
    await this.ctx.dynamo.send(
      new DeleteCommand({ TableName: this.pools, Key: { tenantId, itemKey: poolKey(poolId) } }),
    );
  }

  async routingState(pool: Pool, contact: string): Promise<PoolRoutingState> {
    const memberIds = pool.members.map((m) => m.sessionId);
    const items = await this.batchGet({
      [this.assignments]: { Keys: [{ poolId: pool.id, contact }], ConsistentRead: true },
      ...(memberIds.length === 0
        ? {}
        : {
            [this.sessions]: { Keys: memberIds.map((sessionId) => ({ sessionId })), ConsistentRead: true },
            [this.pools]: {
              Keys: memberIds.map((id) => ({ tenantId: pool.tenantId, itemKey: loadKey(pool.id, id) })),
              ConsistentRead: true,
            },
          }),
    });
    const assignment = items[this.assignments]?.[0];
    const sessions = new Map<string, Session | null>(memberIds.map((id) => [id, null]));
    for (const item of items[this.sessions] ?? []) {
      const session = sessionFromItem(item);
      sessions.set(session.id, session);
    }
    return {
      assignment: assignment ? assignmentFromItem(assignment) : null,
      sessions,
      loads: this.loadsFrom(items[this.pools] ?? []),
    };
  }

  async assignment(poolId: string, contact: string): Promise<PoolAssignment | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.assignments, Key: { poolId, contact }, ConsistentRead: true }),
    );
    return out.Item ? assignmentFromItem(out.Item) : null;
  }

  async loads(pool: Pool): Promise<ReadonlyMap<string, PoolMemberLoad>> {
    if (pool.members.length === 0) return new Map();
    const items = await this.batchGet({
      [this.pools]: {
        Keys: pool.members.map((m) => ({ tenantId: pool.tenantId, itemKey: loadKey(pool.id, m.sessionId) })),
        ConsistentRead: true,
      },
    });
    return this.loadsFrom(items[this.pools] ?? []);
  }

  async poolsOfContact(memberId: string, contact: string): Promise<string[]> {
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.assignments,
        IndexName: 'byMember',
        KeyConditionExpression: 'memberId = :m AND contact = :c',
        ExpressionAttributeValues: { ':m': memberId, ':c': contact },
        ProjectionExpression: 'poolId',
      }),
    );
    return (out.Items ?? []).map((i) => String(i['poolId']));
  }

  async poolsOfMember(tenantId: string, sessionId: string): Promise<Pool[]> {
    const items = await queryAll(this.ctx, {
      TableName: this.pools,
      KeyConditionExpression: 'tenantId = :t AND begins_with(itemKey, :p)',
      ExpressionAttributeValues: { ':t': tenantId, ':p': POOL_PREFIX },
      ConsistentRead: true,
    });
    return items.map(poolFromItem).filter((pool) => pool.members.some((m) => m.sessionId === sessionId));
  }

  async assignmentsOf(memberId: string): Promise<PoolAssignment[]> {
    const found: PoolAssignment[] = [];
    let start: Item | undefined;
    do {
      const out = await this.ctx.dynamo.send(
        new QueryCommand({
          TableName: this.assignments,
          IndexName: 'byMember',
          KeyConditionExpression: 'memberId = :m',
          ExpressionAttributeValues: { ':m': memberId },
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(out.Items ?? []).map(assignmentFromItem));
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }

  private loadsFrom(items: readonly Item[]): Map<string, PoolMemberLoad> {
    return new Map(items.map((item) => [String(item['sessionId']), loadFromItem(item)]));
  }

  /** One BatchGetItem, re-asking for what DynamoDB left unprocessed (rare: under throttling). */
  private async batchGet(
    request: NonNullable<BatchGetCommandInput['RequestItems']>,
  ): Promise<Record<string, Item[]>> {
    const found: Record<string, Item[]> = {};
    let pending: BatchGetCommandInput['RequestItems'] = request;
    for (let round = 0; pending && Object.keys(pending).length > 0; round += 1) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('could not read the pool routing state');
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
      const out: BatchGetCommandOutput = await this.ctx.dynamo.send(
        new BatchGetCommand({ RequestItems: pending }),
      );
      for (const [table, items] of Object.entries(out.Responses ?? {})) {
        (found[table] ??= []).push(...(items as Item[]));
      }
      pending = out.UnprocessedKeys;
    }
    return found;
  }
}
