/**
 * Sliding-window counters in the `rateLimits` table (`shared/services/rate-limit.ts`): one item per bucket,
 * with one running total per slice (`s<slice index>`). A hit adds one to the totals of its slice and of the
 * `lookback` slices after it, removes the totals of slices that have passed, and is refused by the condition
 * when its slice's total has reached the limit: one conditional update, so concurrent requests can never count
 * past the limit. The item expires with the TTL once its last total has passed; DynamoDB Local never deletes
 * it, which is harmless because a passed slice's total is never read again.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sliceStart, type RateWindow } from '../../domain/rate-window.js';
import type { RateHit, RateLimitCounter } from '../../ports/rate-limit-counter.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

const totalName = (slice: number): string => `s${slice}`;

/** A total from an item: plain (document client) or still marshalled (`{ N: '3' }`, a condition failure's item). */
function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'N' in value) return Number((value as { N: string }).N);
  return 0;
}

export class DynamoRateLimitCounter implements RateLimitCounter {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'rateLimits');
  }

  async hit(bucket: string, limit: number, window: RateWindow): Promise<RateHit> {
    const update = windowHitUpdate(bucket, limit, window);
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          ...update,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { counted: true, totals: windowTotals(out.Attributes, window) };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // The item as it was: which totals filled the window, so the 429 can say when room comes back.
      return { counted: false, totals: windowTotals(error.Item, window) };
    }
  }
}

/**
 * The conditional update that counts one hit (without table name or return values), shared with the send
 * transaction (`send-transaction.ts`), which counts a send's hit in the same `TransactWriteItems` as the message.
 */
export function windowHitUpdate(
  bucket: string,
  limit: number,
  window: RateWindow,
): {
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
} {
  const ahead = Array.from({ length: window.lookback + 1 }, (_, i) => i);
  // Totals of the slices just passed (a hit in each of the last lookback+1 slices leaves at most these).
  const passed = Array.from({ length: window.lookback + 1 }, (_, i) => i + 1);
  const names: Record<string, string> = {};
  for (const i of ahead) names[`#a${i}`] = totalName(window.slice + i);
  for (const i of passed) names[`#p${i}`] = totalName(window.slice - i);
  return {
    Key: { bucketKey: bucket },
    UpdateExpression:
      `ADD ${ahead.map((i) => `#a${i} :one`).join(', ')} ` +
      `SET expiresAt = :expiresAt REMOVE ${passed.map((i) => `#p${i}`).join(', ')}`,
    ConditionExpression: 'attribute_not_exists(#a0) OR #a0 < :limit',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: {
      ':one': 1,
      ':limit': limit,
      ':expiresAt': Math.ceil(sliceStart(window, window.lookback + 1) / 1000) + 60,
    },
  };
}

/** The totals of the current slice and the `lookback` after it, from a counter item (plain or marshalled). */
export function windowTotals(item: Record<string, unknown> | undefined, window: RateWindow): number[] {
  return Array.from({ length: window.lookback + 1 }, (_, i) => numberOf(item?.[totalName(window.slice + i)]));
}
