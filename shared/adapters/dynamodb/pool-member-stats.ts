/**
 * `PoolMemberStats` on the member's load item (`pools` table, `load#<poolId>#<sessionId>`), next to the counts
 * the pool send writes (docs/pools.md, "Stats"). Failures are counted once per message: the message item is
 * marked in the same transaction. A restricted period opens and closes under a condition on the open period's
 * start (`restrictedSince`), so a redelivered event changes nothing.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  MAX_RESTRICTED_PERIODS_KEPT,
  RestrictedPeriodSchema,
  type RestrictedPeriod,
} from '../../domain/pool.js';
import type { PoolMemberKey, PoolMemberStats } from '../../ports/pool-member-stats.js';
import { isConditionFailed, tableName, type DynamoContext, type Item } from './items.js';
import { loadKey } from './pool-repository.js';

/** The message attribute that says its failure is on its member's load already. */
const COUNTED = 'poolFailureCounted';

function isCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionCanceledException';
}

export class DynamoPoolMemberStats implements PoolMemberStats {
  private readonly pools: string;
  private readonly messages: string;

  constructor(private readonly ctx: DynamoContext) {
    this.pools = tableName(ctx, 'pools');
    this.messages = tableName(ctx, 'messages');
  }

  async countFailure(member: PoolMemberKey, messageId: string): Promise<boolean> {
    try {
      await this.ctx.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.messages,
                Key: { sessionId: member.sessionId, messageId },
                UpdateExpression: 'SET #counted = :yes',
                ConditionExpression: 'attribute_exists(messageId) AND attribute_not_exists(#counted)',
                ExpressionAttributeNames: { '#counted': COUNTED },
                ExpressionAttributeValues: { ':yes': true },
              },
            },
            {
              Update: {
                TableName: this.pools,
                Key: this.key(member),
                UpdateExpression: 'SET poolId = :pool, sessionId = :session ADD failed :one',
                ExpressionAttributeValues: {
                  ':pool': member.poolId,
                  ':session': member.sessionId,
                  ':one': 1,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isCancelled(error)) return false;
      throw error;
    }
  }

  async restrictionStarted(member: PoolMemberKey, since: string, type: string): Promise<void> {
    const load = await this.read(member);
    if (load.restrictedSince !== undefined) return;
    const restrictions = [...load.restrictions, { since, type }].slice(-MAX_RESTRICTED_PERIODS_KEPT);
    await this.conditional(() =>
      this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.pools,
          Key: this.key(member),
          UpdateExpression:
            'SET poolId = :pool, sessionId = :session, restrictedSince = :since, restrictions = :list ' +
            'ADD restrictedPeriods :one',
          ConditionExpression: 'attribute_not_exists(restrictedSince)',
          ExpressionAttributeValues: {
            ':pool': member.poolId,
            ':session': member.sessionId,
            ':since': since,
            ':list': restrictions,
            ':one': 1,
          },
        }),
      ),
    );
  }

  async restrictionEnded(member: PoolMemberKey, until: string): Promise<void> {
    const load = await this.read(member);
    const since = load.restrictedSince;
    if (since === undefined) return;
    const restrictions = load.restrictions.map((p) =>
      p.since === since && p.until === undefined ? { ...p, until } : p,
    );
    await this.conditional(() =>
      this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.pools,
          Key: this.key(member),
          UpdateExpression: 'SET restrictions = :list REMOVE restrictedSince',
          ConditionExpression: 'restrictedSince = :since',
          ExpressionAttributeValues: { ':since': since, ':list': restrictions },
        }),
      ),
    );
  }

  private key(member: PoolMemberKey): Item {
    return { tenantId: member.tenantId, itemKey: loadKey(member.poolId, member.sessionId) };
  }

  private async read(
    member: PoolMemberKey,
  ): Promise<{ restrictedSince?: string; restrictions: RestrictedPeriod[] }> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: this.pools,
        Key: this.key(member),
        ProjectionExpression: 'restrictedSince, restrictions',
        ConsistentRead: true,
      }),
    );
    const item = out.Item ?? {};
    const since = item['restrictedSince'];
    const restrictions = RestrictedPeriodSchema.array().safeParse(item['restrictions'] ?? []);
    return {
      ...(typeof since === 'string' ? { restrictedSince: since } : {}),
      restrictions: restrictions.success ? restrictions.data : [],
    };
  }

  /** A refused condition means another delivery of the same event did the write first. */
  private async conditional(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}
