/**
 * `DeliveryPayloadStore` as a `payload` attribute (the event JSON) on the delivery's own item in the
 * `deliveries` table. The delivery repository maps items through the domain schema, which drops it, so the log
 * never returns message contents; only replays read it. The item must exist (the fan-out creates it first).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DomainEventSchema, type DomainEvent } from '../../domain/events.js';
import type { DeliveryPayloadStore } from '../../ports/delivery-payload-store.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

export class DynamoDeliveryPayloadStore implements DeliveryPayloadStore {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'deliveries');
  }

  async put(webhookId: string, deliveryId: string, event: DomainEvent): Promise<void> {
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { webhookId, deliveryId },
          UpdateExpression: 'SET payload = :p',
          ConditionExpression: 'attribute_exists(deliveryId)',
          ExpressionAttributeValues: { ':p': JSON.stringify(event) },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error))
        throw new Error(`delivery ${deliveryId} does not exist`, { cause: error });
      throw error;
    }
  }

  async get(webhookId: string, deliveryId: string): Promise<DomainEvent | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { webhookId, deliveryId },
        ProjectionExpression: 'payload',
        ConsistentRead: true,
      }),
    );
    const payload = out.Item?.payload;
    if (typeof payload !== 'string') return null;
    const parsed = DomainEventSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  }
}
