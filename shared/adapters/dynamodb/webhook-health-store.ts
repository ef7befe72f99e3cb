/**
 * `WebhookHealthStore` as attributes on the subscription's own item (`failureStreak`, `failingSince`,
 * `disabledAt`, `disabledReason`), updated atomically so concurrent deliveries count every failure. The webhook
 * repository maps items through the domain schema, which ignores these attributes.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FailureStreak, WebhookHealthStore } from '../../ports/webhook-health-store.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

export class DynamoWebhookHealthStore implements WebhookHealthStore {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'webhooks');
  }

  async recordFailure(tenantId: string, webhookId: string, at: string): Promise<FailureStreak | null> {
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { tenantId, webhookId },
          UpdateExpression:
            'SET failureStreak = if_not_exists(failureStreak, :zero) + :one, failingSince = if_not_exists(failingSince, :at)',
          ConditionExpression: 'attribute_exists(webhookId)',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':at': at },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const failures = out.Attributes?.failureStreak;
      const since = out.Attributes?.failingSince;
      return {
        failures: typeof failures === 'number' ? failures : 1,
        since: typeof since === 'string' ? since : at,
      };
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }

  async recordSuccess(tenantId: string, webhookId: string): Promise<void> {
    await this.conditionalUpdate(
      tenantId,
      webhookId,
      'REMOVE failureStreak, failingSince',
      'attribute_exists(failureStreak)',
    );
  }

  async disable(tenantId: string, webhookId: string, at: string, reason: string): Promise<boolean> {
    return this.conditionalUpdate(
      tenantId,
      webhookId,
      'SET enabled = :off, disabledAt = :at, disabledReason = :reason, updatedAt = :at',
      'enabled = :on',
      { ':off': false, ':on': true, ':at': at, ':reason': reason },
    );
  }

  async reset(tenantId: string, webhookId: string): Promise<void> {
    await this.conditionalUpdate(
      tenantId,
      webhookId,
      'REMOVE failureStreak, failingSince, disabledAt, disabledReason',
      'attribute_exists(webhookId)',
    );
  }

  private async conditionalUpdate(
    tenantId: string,
    webhookId: string,
    expression: string,
    condition: string,
    values?: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { tenantId, webhookId },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
