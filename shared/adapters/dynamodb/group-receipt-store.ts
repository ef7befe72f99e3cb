/**
 * Group receipts on the message item itself (`messages` table): two string sets of member jids,
 * `receiptsDelivered` and `receiptsRead`, storage only (the domain `Message` never shows them). `ADD` to a set
 * is idempotent, so a repeated receipt counts once, and one UpdateItem both records and answers the counts.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupReceiptCounts, GroupReceiptStore } from '../../ports/group-receipt-store.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

export class DynamoGroupReceiptStore implements GroupReceiptStore {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'messages');
  }

  async record(
    sessionId: string,
    messageId: string,
    member: string,
    kind: 'delivered' | 'read',
  ): Promise<GroupReceiptCounts> {
    const one = new Set([member]);
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId, messageId },
          UpdateExpression:
            kind === 'read' ? 'ADD receiptsDelivered :m, receiptsRead :m' : 'ADD receiptsDelivered :m',
          ConditionExpression: 'attribute_exists(messageId)',
          ExpressionAttributeValues: { ':m': one },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = out.Attributes ?? {};
      return { delivered: sizeOf(item.receiptsDelivered), read: sizeOf(item.receiptsRead) };
    } catch (error) {
      if (isConditionFailed(error)) return { delivered: 0, read: 0 };
      throw error;
    }
  }
}

function sizeOf(value: unknown): number {
  return value instanceof Set ? value.size : 0;
}
