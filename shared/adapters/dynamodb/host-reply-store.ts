/**
 * Host replies in the `hostReplies` table: key `requestId`, TTL `expiresAt` (epoch s). DynamoDB Local never
 * deletes expired items, so a read ignores one whose TTL has passed.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { HostReplySchema, type HostReply } from '../../contracts/host-request.js';
import type { HostReplyStore } from '../../ports/host-reply-store.js';
import { epochSeconds, tableName, type DynamoContext } from './items.js';

export class DynamoHostReplyStore implements HostReplyStore {
  constructor(
    private readonly ctx: DynamoContext,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async put(requestId: string, sessionId: string, reply: HostReply, ttlSeconds: number): Promise<void> {
    await this.ctx.dynamo.send(
      new PutCommand({
        TableName: tableName(this.ctx, 'hostReplies'),
        Item: {
          requestId,
          sessionId,
          reply: HostReplySchema.parse(reply),
          expiresAt: epochSeconds(this.now()) + ttlSeconds,
        },
      }),
    );
  }

  async get(requestId: string): Promise<HostReply | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: tableName(this.ctx, 'hostReplies'),
        Key: { requestId },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item || (typeof item.expiresAt === 'number' && item.expiresAt <= epochSeconds(this.now()))) {
      return null;
    }
    return HostReplySchema.parse(item.reply);
  }
}
