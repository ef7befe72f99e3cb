/**
 * The event outbox in the `eventOutbox` table: key `sessionId` / `eventId`, the event itself as its JSON text
 * (stored as text so a deeply nested `metadata` is never DynamoDB's nesting problem and the event comes back
 * exactly as it went in), `type` and `tenantId` beside it for operators, and the TTL `expiresAt`.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DomainEventSchema, type DomainEvent } from '../../domain/events.js';
import { IdSchema } from '../../domain/ids.js';
import {
  EVENT_OUTBOX_TTL_SECONDS,
  type EventOutboxRepository,
  type ListOutboxRequest,
  type OutboxKey,
} from '../../ports/event-outbox-repository.js';
import { batchWriteAll } from './batch-write.js';
import { epochSeconds, tableName, toDomain, type DynamoContext, type Item } from './items.js';

const MAX_BATCH = 100;
/** DynamoDB's `BatchWriteItem` limit. */
const MAX_BATCH_WRITE = 25;

const OutboxItemSchema = z.object({
  sessionId: IdSchema,
  eventId: IdSchema,
  event: z.string().min(2),
});

export class DynamoEventOutboxRepository implements EventOutboxRepository {
  constructor(private readonly ctx: DynamoContext) {}

  private get table(): string {
    return tableName(this.ctx, 'eventOutbox');
  }

  async add(event: DomainEvent, now: Date = new Date()): Promise<void> {
    await this.ctx.dynamo.send(new PutCommand({ TableName: this.table, Item: this.#item(event, now) }));
  }

  entryOf(event: DomainEvent, now: Date = new Date()): Readonly<Record<string, unknown>> {
    return { Put: { TableName: this.table, Item: this.#item(event, now) } };
  }

  #item(event: DomainEvent, now: Date): Item {
    const valid = DomainEventSchema.parse(event);
    return {
      sessionId: valid.sessionId,
      eventId: valid.id,
      tenantId: valid.tenantId,
      type: valid.type,
      event: JSON.stringify(valid),
      expiresAt: epochSeconds(now) + EVENT_OUTBOX_TTL_SECONDS,
    };
  }

  async remove(sessionId: string, eventId: string): Promise<void> {
    await this.ctx.dynamo.send(new DeleteCommand({ TableName: this.table, Key: { sessionId, eventId } }));
  }

  async removeMany(keys: readonly OutboxKey[]): Promise<void> {
    if (keys.length === 0) return;
    if (keys.length > MAX_BATCH_WRITE) throw new Error(`at most ${MAX_BATCH_WRITE} removals per batch`);
    const requests = keys.map(({ sessionId, eventId }) => ({
      DeleteRequest: { Key: { sessionId, eventId } },
    }));
    await batchWriteAll(this.ctx, this.table, requests, 'outbox removal(s)');
  }

  async listPending(
    sessionId: string,
    request: ListOutboxRequest = {},
    now: Date = new Date(),
  ): Promise<DomainEvent[]> {
    const limit = Math.min(MAX_BATCH, Math.max(1, Math.floor(request.limit ?? MAX_BATCH)));
    const after = request.afterId;
    const events: DomainEvent[] = [];
    let startKey: Item | undefined;
    // Expired items (DynamoDB deletes them only eventually, DynamoDB Local never) are filtered, so a page can
    // come back short with more to read: keep reading until the page is full or the partition ends.
    do {
      const out = await this.ctx.dynamo.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression:
            after === undefined ? 'sessionId = :s' : 'sessionId = :s AND eventId > :after',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: {
            ':s': sessionId,
            ':now': epochSeconds(now),
            ...(after === undefined ? {} : { ':after': after }),
          },
          ConsistentRead: true,
          ScanIndexForward: true,
          Limit: limit - events.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) events.push(parseEvent(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey && events.length < limit);
    return events;
  }
}

/** A stored item back to its event; anything that does not validate is our bug (InternalError). */
function parseEvent(item: Item): DomainEvent {
  const { event } = toDomain(OutboxItemSchema, item, { internal: ['tenantId', 'type', 'expiresAt'] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch (error) {
    parsed = { unreadable: String(error) };
  }
  return toDomain(DomainEventSchema, parsed as Item);
}
