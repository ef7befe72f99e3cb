/**
 * Number checks in the `contactChecks` table (partition `sessionId`, sort `phone`, TTL `expiresAt` in epoch s).
 * DynamoDB Local never deletes expired items, so reads drop the ones whose TTL has passed.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { ContactCheckResultSchema } from '../../contracts/host-request.js';
import { TimestampSchema } from '../../domain/ids.js';
import type { CachedContactCheck, ContactCheckCache } from '../../ports/contact-check-store.js';
import { batchWriteAll } from './batch-write.js';
import { epochSeconds, tableName, toDomain, type DynamoContext, type Item } from './items.js';

const CachedSchema = ContactCheckResultSchema.extend({ checkedAt: TimestampSchema });
/** BatchGetItem takes 100 keys, BatchWriteItem 25 puts. */
const GET_BATCH = 100;
const PUT_BATCH = 25;
const MAX_ROUNDS = 8;

export class DynamoContactCheckCache implements ContactCheckCache {
  private readonly table: string;

  constructor(
    private readonly ctx: DynamoContext,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.table = tableName(ctx, 'contactChecks');
  }

  async getMany(sessionId: string, phones: readonly string[]): Promise<CachedContactCheck[]> {
    const found: CachedContactCheck[] = [];
    const unique = [...new Set(phones)];
    const nowSeconds = epochSeconds(this.now());
    for (let i = 0; i < unique.length; i += GET_BATCH) {
      let keys: Record<string, unknown>[] = unique
        .slice(i, i + GET_BATCH)
        .map((phone) => ({ sessionId, phone }));
      for (let round = 0; keys.length > 0 && round < MAX_ROUNDS; round += 1) {
        const out = await this.ctx.dynamo.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.table] ?? []) {
          if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
          found.push(toDomain(CachedSchema, item, { internal: ['sessionId', 'expiresAt'] }));
        }
        keys = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return found;
  }

  async putMany(
    sessionId: string,
    results: readonly CachedContactCheck[],
    ttlSeconds: number,
  ): Promise<void> {
    const expiresAt = epochSeconds(this.now()) + ttlSeconds;
    const items = new Map<string, Item>();
    for (const result of results) {
      const parsed = CachedSchema.parse(result);
      items.set(parsed.phone, { ...stripUndefined(parsed), sessionId, expiresAt });
    }
    const requests = [...items.values()].map((Item) => ({ PutRequest: { Item } }));
    for (let i = 0; i < requests.length; i += PUT_BATCH) {
      await batchWriteAll(this.ctx, this.table, requests.slice(i, i + PUT_BATCH), 'number check(s)');
    }
  }
}

function stripUndefined(value: z.infer<typeof CachedSchema>): Item {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
