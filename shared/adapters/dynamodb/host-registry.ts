/**
 * The host registry (`shared/ports/host-registry.ts`) in the `hosts` table: one item per host, keyed `hostId`.
 * The table holds one item per live (or recently dead) task, so a scan is small.
 */
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { physicalTableName } from '../../definitions/tables.js';
import { HostItemSchema, type HostItem } from '../../domain/host.js';
import type { HostRegistry } from '../../ports/host-registry.js';
import { isConditionFailed, type DynamoContext } from './items.js';

const GC_AFTER_SECONDS = 24 * 3600;

export class DynamoHostRegistry implements HostRegistry {
  readonly #table: string;

  constructor(private readonly ctx: Pick<DynamoContext, 'dynamo'> & { readonly prefix: string }) {
    this.#table = physicalTableName(ctx.prefix, 'hosts');
  }

  async beat(
    item: Omit<HostItem, 'heartbeatAt' | 'heartbeatUntil' | 'expiresAt'>,
    ttlMs: number,
  ): Promise<void> {
    const now = Date.now();
    const full: HostItem = {
      ...item,
      heartbeatAt: new Date(now).toISOString(),
      heartbeatUntil: now + ttlMs,
      expiresAt: Math.floor((now + ttlMs) / 1000) + GC_AFTER_SECONDS,
    };
    await this.ctx.dynamo.send(new PutCommand({ TableName: this.#table, Item: full }));
  }

  /** A clean stop: the host deleted its own queue. */
  async remove(hostId: string): Promise<void> {
    await this.ctx.dynamo.send(new DeleteCommand({ TableName: this.#table, Key: { hostId } }));
  }

  /** Hosts whose heartbeat ran out. The table holds one item per live (or recently dead) task: a scan is small. */
  listDead(now: number): Promise<HostItem[]> {
    return this.#scan('heartbeatUntil < :v', now);
  }

  /**
   * Hosts whose last heartbeat is older than `staleBefore` (epoch ms) but whose item is still there: crashed or
   * cut off, not yet swept. A clean stop deletes its own item, so it never shows here.
   */
  listStale(staleBefore: number): Promise<HostItem[]> {
    // ISO-8601 UTC with milliseconds sorts as a string.
    return this.#scan('heartbeatAt < :v', new Date(staleBefore).toISOString());
  }

  /** Live hosts (last heartbeat at or after `freshAfter`, epoch ms), e.g. to hand sessions over to. */
  listLive(freshAfter: number): Promise<HostItem[]> {
    return this.#scan('heartbeatAt >= :v', new Date(freshAfter).toISOString());
  }

  async #scan(filter: string, value: number | string): Promise<HostItem[]> {
    const hosts: HostItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.ctx.dynamo.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: filter,
          ExpressionAttributeValues: { ':v': value },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        const parsed = HostItemSchema.safeParse(raw);
        if (parsed.success) hosts.push(parsed.data);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return hosts;
  }

  /** Deletes the item only if the host did not come back meanwhile. */
  async forgetIfDead(hostId: string, now: number): Promise<boolean> {
    try {
      await this.ctx.dynamo.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { hostId },
          ConditionExpression: 'heartbeatUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
