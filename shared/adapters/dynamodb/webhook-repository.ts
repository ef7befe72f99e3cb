/** Webhooks table: (tenantId, webhookId). `signingSecret` is stored as given and never mapped to the domain. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { EventType } from '../../domain/events.js';
import { WebhookSubscriptionSchema, webhookMatches, type WebhookSubscription } from '../../domain/webhook.js';
import { TABLES } from '../../definitions/tables.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import type { WebhookPatch, WebhookRepository } from '../../ports/webhook-repository.js';
import {
  isConditionFailed,
  patchExistingItem,
  queryAll,
  queryPage,
  tableName,
  toDomain,
  type DynamoContext,
  type Item,
} from './items.js';

const def = TABLES.webhooks;
const INTERNAL = ['signingSecret'] as const;

export class DynamoWebhookRepository implements WebhookRepository {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'webhooks');
  }

  async create(subscription: WebhookSubscription, signingSecret: string): Promise<WebhookSubscription> {
    if (signingSecret === '') throw new Error('a webhook needs a signing secret');
    const { id, ...rest } = WebhookSubscriptionSchema.parse(subscription);
    const item: Item = { ...rest, webhookId: id, signingSecret };
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(webhookId)',
        }),
      );
      return fromItem(item);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.get(subscription.tenantId, id);
    if (existing && existing.url === subscription.url) return existing;
    throw new ConflictError(`webhook ${id} already exists`);
  }

  async get(tenantId: string, webhookId: string): Promise<WebhookSubscription | null> {
    const item = await this.getItem(tenantId, webhookId);
    return item ? fromItem(item) : null;
  }

  async getSigningSecret(tenantId: string, webhookId: string): Promise<string | null> {
    const item = await this.getItem(tenantId, webhookId);
    return typeof item?.signingSecret === 'string' ? item.signingSecret : null;
  }

  list(tenantId: string, page: PageRequest = {}): Promise<Page<WebhookSubscription>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        KeyConditionExpression: 'tenantId = :t',
        ExpressionAttributeValues: { ':t': tenantId },
      },
      { attributes: [def.partitionKey, def.sortKey!], fixed: { tenantId } },
      page,
      fromItem,
    );
  }

  async update(tenantId: string, webhookId: string, patch: WebhookPatch): Promise<WebhookSubscription> {
    const item = await patchExistingItem(this.ctx, {
      table: this.table,
      key: { tenantId, webhookId },
      existsAttribute: 'webhookId',
      patch: { ...patch },
    });
    if (item === null) throw new NotFoundError(`webhook ${webhookId} not found`);
    return fromItem(item);
  }

  async delete(tenantId: string, webhookId: string): Promise<void> {
    try {
      await this.ctx.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { tenantId, webhookId },
          ConditionExpression: 'attribute_exists(webhookId)',
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`webhook ${webhookId} not found`);
      throw error;
    }
  }

  async listForEvent(
    tenantId: string,
    eventType: EventType,
    sessionId: string,
  ): Promise<WebhookSubscription[]> {
    // A tenant has a handful of subscriptions: one partition read, matched by the domain's own rule.
    const items = await queryAll(this.ctx, {
      TableName: this.table,
      KeyConditionExpression: 'tenantId = :t',
      FilterExpression: 'enabled = :on',
      ExpressionAttributeValues: { ':t': tenantId, ':on': true },
    });
    return items.map(fromItem).filter((sub) => webhookMatches(sub, eventType, sessionId));
  }

  private async getItem(tenantId: string, webhookId: string): Promise<Item | undefined> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { tenantId, webhookId }, ConsistentRead: true }),
    );
    return out.Item;
  }
}

function fromItem(item: Item): WebhookSubscription {
  return toDomain(WebhookSubscriptionSchema, item, { internal: INTERNAL, rename: { webhookId: 'id' } });
}
