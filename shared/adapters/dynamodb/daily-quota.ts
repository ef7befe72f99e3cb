/**
 * Daily quotas in the `rateLimits` table: one item per bucket and UTC day (`<bucket>#<YYYY-MM-DD>`) with a
 * running `used` total, raised by one conditional update so concurrent requests cannot pass the limit together.
 * The item expires (TTL) a day after its day ended.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DailyQuota } from '../../ports/contact-check-store.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

const DAY_MS = 86_400_000;

export class DynamoDailyQuota implements DailyQuota {
  constructor(private readonly ctx: DynamoContext) {}

  async take(bucket: string, count: number, limit: number, now: number): Promise<number | null> {
    if (count > limit) return null;
    const day = new Date(now).toISOString().slice(0, 10);
    const dayEnd = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: tableName(this.ctx, 'rateLimits'),
          Key: { bucketKey: `${bucket}#${day}` },
          UpdateExpression: 'ADD used :count SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeValues: {
            ':count': count,
            ':room': limit - count,
            ':expiresAt': Math.floor((dayEnd + DAY_MS) / 1000),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.used ?? count);
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }
}
