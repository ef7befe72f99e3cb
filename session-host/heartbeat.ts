/**
 * The host's heartbeat in the `hosts` table (one item per host: its command queue URL, capacity, load, and
 * `heartbeatUntil`), and the sweeper that deletes the command queues of hosts whose heartbeat is gone (a task
 * that was killed never deletes its own queue).
 *
 * `heartbeatUntil` (epoch ms) says whether a host is alive; `expiresAt` (epoch s, the table's TTL) only removes
 * long-dead items, a day later, so DynamoDB's TTL can never delete an item before the sweeper saw it and deleted
 * the queue.
 */
import { DeleteCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { physicalTableName } from '../shared/definitions/tables.js';
import type { HostCommandQueue } from '../shared/ports/host-command-queue.js';

const GC_AFTER_SECONDS = 24 * 3600;

export const HostItemSchema = z.object({
  hostId: z.string().min(1),
  queueUrl: z.string().min(1),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  heartbeatUntil: z.number().int(),
  capacity: z.number().int(),
  sessions: z.number().int(),
  expiresAt: z.number().int(),
});
export type HostItem = z.infer<typeof HostItemSchema>;

export interface HostRegistryOptions {
  readonly dynamo: DynamoDBDocumentClient;
  readonly prefix: string;
}

export class HostRegistry {
  readonly #table: string;

  constructor(private readonly options: HostRegistryOptions) {
    this.#table = physicalTableName(options.prefix, 'hosts');
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
    await this.options.dynamo.send(new PutCommand({ TableName: this.#table, Item: full }));
  }

  /** A clean stop: the host deleted its own queue. */
  async remove(hostId: string): Promise<void> {
    await this.options.dynamo.send(new DeleteCommand({ TableName: this.#table, Key: { hostId } }));
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
      const out = await this.options.dynamo.send(
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
      await this.options.dynamo.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { hostId },
          ConditionExpression: 'heartbeatUntil < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

/** One sweep: delete the queue of every dead host, then its item. Returns the host ids swept. */
export async function sweepDeadHosts(
  registry: HostRegistry,
  queues: HostCommandQueue,
  now: number,
): Promise<string[]> {
  const swept: string[] = [];
  for (const host of await registry.listDead(now)) {
    await queues.delete(host.queueUrl);
    if (await registry.forgetIfDead(host.hostId, now)) swept.push(host.hostId);
  }
  return swept;
}
