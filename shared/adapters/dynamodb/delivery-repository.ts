/**
 * Deliveries table: (webhookId, deliveryId), TTL `expiresAt` (epoch seconds). DynamoDB deletes expired items
 * only eventually (DynamoDB Local never), so every read checks the expiry itself.
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DeliverySchema, type Delivery } from '../../domain/delivery.js';
import { NotFoundError } from '../../domain/errors.js';
import { TABLES } from '../../definitions/tables.js';
import {
  DELIVERY_RETENTION_DAYS,
  deliveryIdFor,
  type AttemptOutcome,
  type CreateDeliveryResult,
  type DeliveryKey,
  type DeliveryRepository,
  type NewDelivery,
  type NewDeliveryWithPayload,
  type SucceededAttempt,
} from '../../ports/delivery-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import {
  cancellationCodes,
  epochSeconds,
  isConditionFailed,
  queryPage,
  tableName,
  toDomain,
  type DynamoContext,
  type Item,
} from './items.js';

const def = TABLES.deliveries;
const INTERNAL = ['expiresAt'] as const;
const RETENTION_S = DELIVERY_RETENTION_DAYS * 24 * 3600;
/** DynamoDB's limits: items per TransactWriteItems and keys per BatchGetItem. */
const TRANSACTION_MAX = 100;
const BATCH_GET_MAX = 100;

export interface DeliveryRepositoryOptions {
  /** Clock for expiry checks (epoch ms); tests move it. */
  readonly now?: () => number;
}

interface UpdateParts {
  set: Record<string, unknown>;
  remove?: string[];
  addAttempt?: boolean;
  /** A success is final until a tenant replays it: late retries or DLQ noise must not overwrite it. */
  unlessSucceeded?: boolean;
}

export class DynamoDeliveryRepository implements DeliveryRepository {
  private readonly table: string;
  private readonly now: () => number;

  constructor(
    private readonly ctx: DynamoContext,
    options: DeliveryRepositoryOptions = {},
  ) {
    this.table = tableName(ctx, 'deliveries');
    this.now = options.now ?? Date.now;
  }

  async create(input: NewDelivery): Promise<CreateDeliveryResult> {
    return this.createOne(newItem(input));
  }

  async createMany(inputs: readonly NewDeliveryWithPayload[]): Promise<CreateDeliveryResult[]> {
    // A transaction may not touch one item twice: later duplicates take the first one's result.
    const firstIndex = new Map<string, number>();
    const unique: number[] = [];
    inputs.forEach((input, i) => {
      const key = `${input.webhookId}/${deliveryIdFor(input.eventId)}`;
      if (!firstIndex.has(key)) {
        firstIndex.set(key, i);
        unique.push(i);
      }
    });
    const results = new Map<number, CreateDeliveryResult>();
    for (let start = 0; start < unique.length; start += TRANSACTION_MAX) {
      const chunk = unique.slice(start, start + TRANSACTION_MAX).map((i) => {
        const { payload, ...input } = inputs[i]!;
        return { index: i, ...newItem(input, payload) };
      });
      try {
        await this.ctx.dynamo.send(
          new TransactWriteCommand({
            TransactItems: chunk.map(({ item }) => ({
              Put: {
                TableName: this.table,
                Item: item,
                ConditionExpression: 'attribute_not_exists(deliveryId)',
              },
            })),
          }),
        );
        for (const { index, delivery } of chunk) results.set(index, { delivery, created: true });
      } catch (error) {
        // Some exist already (a rerun of the fan-out): one conditional put each tells which.
        if (cancellationCodes(error).length === 0) throw error;
        const one = await Promise.all(chunk.map((entry) => this.createOne(entry)));
        chunk.forEach(({ index }, n) => results.set(index, one[n]!));
      }
    }
    return inputs.map((input, i) => {
      const own = results.get(i);
      if (own) return own;
      const first = results.get(firstIndex.get(`${input.webhookId}/${deliveryIdFor(input.eventId)}`) ?? -1);
      if (!first) throw new Error('createMany lost an input');
      return { delivery: first.delivery, created: false };
    });
  }

  private async createOne({ item, delivery }: NewItem): Promise<CreateDeliveryResult> {
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(deliveryId)',
        }),
      );
      return { delivery, created: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.getItem(delivery.webhookId, delivery.id);
    if (!existing) throw new Error(`delivery ${delivery.id} exists but could not be read`);
    return { delivery: fromItem(existing), created: false };
  }

  async get(tenantId: string, webhookId: string, deliveryId: string): Promise<Delivery | null> {
    const item = await this.getItem(webhookId, deliveryId);
    if (!item || item.tenantId !== tenantId || this.expired(item)) return null;
    return fromItem(item);
  }

  async getMany(keys: readonly DeliveryKey[]): Promise<(Delivery | null)[]> {
    const found = new Map<string, Item>();
    const unique = [...new Map(keys.map((k) => [`${k.webhookId}/${k.deliveryId}`, k])).values()];
    for (let start = 0; start < unique.length; start += BATCH_GET_MAX) {
      let wanted: Item[] = unique
        .slice(start, start + BATCH_GET_MAX)
        .map(({ webhookId, deliveryId }) => ({ webhookId, deliveryId }));
      // Unprocessed keys (throttling) are asked again, with a short pause, until every key is answered.
      for (let round = 0; wanted.length > 0; round++) {
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 25 * 2 ** round)));
        const out = await this.ctx.dynamo.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: wanted, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.table] ?? []) {
          found.set(`${String(item.webhookId)}/${String(item.deliveryId)}`, item);
        }
        wanted = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return keys.map((k) => {
      const item = found.get(`${k.webhookId}/${k.deliveryId}`);
      return !item || item.tenantId !== k.tenantId || this.expired(item) ? null : fromItem(item);
    });
  }

  listByWebhook(tenantId: string, webhookId: string, page: PageRequest = {}): Promise<Page<Delivery>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        KeyConditionExpression: 'webhookId = :w',
        FilterExpression: 'tenantId = :t AND expiresAt > :now',
        ExpressionAttributeValues: { ':w': webhookId, ':t': tenantId, ':now': epochSeconds(this.now()) },
        ScanIndexForward: false,
      },
      { attributes: [def.partitionKey, def.sortKey!], fixed: { webhookId }, binding: { tenantId } },
      page,
      fromItem,
    );
  }

  recordAttempt(webhookId: string, deliveryId: string, outcome: AttemptOutcome): Promise<Delivery> {
    const parts = attemptParts(outcome);
    return this.update(webhookId, deliveryId, {
      ...parts,
      set: { ...parts.set, status: 'pending' },
      unlessSucceeded: true,
    });
  }

  markSucceeded(webhookId: string, deliveryId: string, outcome: AttemptOutcome): Promise<Delivery> {
    const parts = attemptParts({ ...outcome, error: undefined, nextAttemptAt: undefined });
    return this.update(webhookId, deliveryId, { ...parts, set: { ...parts.set, status: 'succeeded' } });
  }

  async markSucceededMany(attempts: readonly SucceededAttempt[]): Promise<void> {
    for (let start = 0; start < attempts.length; start += TRANSACTION_MAX) {
      const chunk = attempts.slice(start, start + TRANSACTION_MAX);
      const updates = chunk.map(({ webhookId, deliveryId, outcome }) => {
        const parts = attemptParts({ ...outcome, error: undefined, nextAttemptAt: undefined });
        const { ReturnValues: _all, ...update } = this.updateInput(webhookId, deliveryId, {
          ...parts,
          set: { ...parts.set, status: 'succeeded' },
        });
        return update;
      });
      try {
        await this.ctx.dynamo.send(
          new TransactWriteCommand({ TransactItems: updates.map((Update) => ({ Update })) }),
        );
      } catch (error) {
        // A delivery gone meanwhile (or a conflicting write): one update each, with `markSucceeded`'s errors.
        if (cancellationCodes(error).length === 0) throw error;
        await Promise.all(chunk.map((a) => this.markSucceeded(a.webhookId, a.deliveryId, a.outcome)));
      }
    }
  }

  markFailed(
    webhookId: string,
    deliveryId: string,
    outcome: { at: string; error?: string },
  ): Promise<Delivery> {
    return this.update(webhookId, deliveryId, {
      set: { status: 'failed', ...(outcome.error === undefined ? {} : { lastError: clip(outcome.error) }) },
      remove: ['nextAttemptAt'],
      unlessSucceeded: true,
    });
  }

  async markReplayed(tenantId: string, webhookId: string, deliveryId: string, at: string): Promise<Delivery> {
    const current = await this.get(tenantId, webhookId, deliveryId);
    if (!current) throw new NotFoundError(`delivery ${deliveryId} not found`);
    return this.update(webhookId, deliveryId, {
      set: {
        status: 'pending',
        nextAttemptAt: at,
        expiresAt: epochSeconds(Date.parse(at)) + RETENTION_S,
        // A new round of attempts (`nextAttemptNumber`); an attempt racing this read only lends the round one.
        replayedAtAttempts: current.attempts,
      },
    });
  }

  private updateInput(webhookId: string, deliveryId: string, parts: UpdateParts) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set = Object.entries(parts.set).map(([field, value]) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      return `#${field} = :${field}`;
    });
    const remove = (parts.remove ?? []).map((field) => ((names[`#${field}`] = field), `#${field}`));
    let expression = `SET ${set.join(', ')}`;
    if (remove.length) expression += ` REMOVE ${remove.join(', ')}`;
    if (parts.addAttempt) {
      expression += ' ADD attempts :one';
      values[':one'] = 1;
    }
    let condition = 'attribute_exists(deliveryId)';
    if (parts.unlessSucceeded) {
      names['#status'] = 'status';
      values[':succeeded'] = 'succeeded';
      condition += ' AND #status <> :succeeded';
    }
    return {
      TableName: this.table,
      Key: { webhookId, deliveryId },
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    } satisfies UpdateCommandInput;
  }

  private async update(webhookId: string, deliveryId: string, parts: UpdateParts): Promise<Delivery> {
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand(this.updateInput(webhookId, deliveryId, parts)),
      );
      return fromItem(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const current = await this.getItem(webhookId, deliveryId);
    if (!current) throw new NotFoundError(`delivery ${deliveryId} not found`);
    return fromItem(current);
  }

  private async getItem(webhookId: string, deliveryId: string): Promise<Item | undefined> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { webhookId, deliveryId }, ConsistentRead: true }),
    );
    return out.Item;
  }

  private expired(item: Item): boolean {
    return typeof item.expiresAt === 'number' && item.expiresAt <= epochSeconds(this.now());
  }
}

interface NewItem {
  readonly item: Item;
  readonly delivery: Delivery;
}

function newItem(input: NewDelivery, payload?: unknown): NewItem {
  const deliveryId = deliveryIdFor(input.eventId);
  const delivery = DeliverySchema.parse({ ...input, id: deliveryId, status: 'pending', attempts: 0 });
  const { id: _id, ...rest } = delivery;
  const item: Item = {
    ...rest,
    deliveryId,
    expiresAt: epochSeconds(Date.parse(input.createdAt)) + RETENTION_S,
    // The replay payload, as `DynamoDeliveryPayloadStore` writes it.
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  };
  return { item, delivery };
}

function attemptParts(outcome: AttemptOutcome): UpdateParts & { set: Record<string, unknown> } {
  const set: Record<string, unknown> = { lastAttemptAt: outcome.at };
  const remove: string[] = [];
  const optional = {
    lastStatusCode: outcome.statusCode,
    lastError: outcome.error === undefined ? undefined : clip(outcome.error),
    nextAttemptAt: outcome.nextAttemptAt,
  };
  for (const [field, value] of Object.entries(optional)) {
    if (value === undefined) remove.push(field);
    else set[field] = value;
  }
  return { set, remove, addAttempt: true };
}

/** The domain caps `lastError`; a receiver's long error text must not make the write fail validation. */
function clip(error: string): string {
  return error.length > 500 ? error.slice(0, 499) + '…' : error;
}

function fromItem(item: Item): Delivery {
  return toDomain(DeliverySchema, item, { internal: INTERNAL, rename: { deliveryId: 'id' } });
}
