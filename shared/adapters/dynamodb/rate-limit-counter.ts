/**
 * Fixed-window counters in the `rateLimits` table: one item per (bucket, window), incremented with a conditional
 * update so concurrent requests can never count past the limit. Items expire with the TTL a minute after their
 * window; DynamoDB Local never deletes them, which is harmless because a past window's key is never read again.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimitCounter, RateWindow } from '../../services/rate-limit.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

export class DynamoRateLimitCounter implements RateLimitCounter {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'rateLimits');
  }

  async hit(bucket: string, limit: number, window: RateWindow): Promise<number | null> {
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { bucketKey: `${bucket}#${window.start}` },
          UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expiresAt': Math.ceil(window.resetAt / 1000) + 60,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const hits = out.Attributes?.['hits'];
      return typeof hits === 'number' ? hits : limit;
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }
}
