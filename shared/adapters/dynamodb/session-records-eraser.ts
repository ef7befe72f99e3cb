/**
 * Deletes a session's messages, chats and LID mappings: the tables are partitioned by `sessionId`, so each is a query and
 * 25-item batch deletes, with DynamoDB's unprocessed items retried (with a short backoff). Message pages also
 * read `direction` and `content`, to hand the incoming files they name to `beforeDelete` first.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CredentialsEraser } from '../../ports/credentials-eraser.js';
import type { SessionRecordsEraser } from '../../ports/session-records-eraser.js';
import { batchWriteAll } from './batch-write.js';
import { tableName, type DynamoContext, type Item } from './items.js';

const BATCH = 25;

export class DynamoSessionRecordsEraser implements SessionRecordsEraser {
  constructor(private readonly ctx: DynamoContext) {}

  async erase(
    sessionId: string,
    options: { readonly beforeDelete?: (inboundMediaIds: readonly string[]) => Promise<void> } = {},
  ): Promise<{ messages: number; chats: number }> {
    const messages = await this.eraseTable(
      tableName(this.ctx, 'messages'),
      sessionId,
      'messageId',
      (items) =>
        options.beforeDelete ? options.beforeDelete(items.flatMap(inboundMediaId)) : Promise.resolve(),
    );
    const chats = await this.eraseTable(tableName(this.ctx, 'chats'), sessionId, 'chatJid');
    // What the account revealed of its contacts' numbers goes with the session (not counted: not a record).
    await this.eraseTable(tableName(this.ctx, 'lidMappings'), sessionId, 'idKey');
    // So are the numbers it checked (contacts/check), kept a day otherwise.
    await this.eraseTable(tableName(this.ctx, 'contactChecks'), sessionId, 'phone');
    return { messages, chats };
  }

  /** The session's credential items (`credentials` table, its data key included): no decryption, no KMS. */
  eraseCredentials(sessionId: string): Promise<number> {
    return this.eraseTable(tableName(this.ctx, 'credentials'), sessionId, 'itemKey');
  }

  private async eraseTable(
    table: string,
    sessionId: string,
    sortKey: string,
    beforeDelete?: (items: readonly Item[]) => Promise<void>,
  ): Promise<number> {
    let deleted = 0;
    let startKey: Item | undefined;
    do {
      const out = await this.ctx.dynamo.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'sessionId = :s',
          ExpressionAttributeValues: { ':s': sessionId },
          ProjectionExpression: beforeDelete ? '#p, #s, direction, content' : '#p, #s',
          ExpressionAttributeNames: { '#p': 'sessionId', '#s': sortKey },
          ExclusiveStartKey: startKey,
        }),
      );
      await beforeDelete?.(out.Items ?? []);
      const keys = (out.Items ?? []).map((item) => ({ sessionId, [sortKey]: item[sortKey] }));
      for (let i = 0; i < keys.length; i += BATCH) {
        await this.deleteBatch(table, keys.slice(i, i + BATCH));
      }
      deleted += keys.length;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  private async deleteBatch(table: string, keys: Item[]): Promise<void> {
    const requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    await batchWriteAll(this.ctx, table, requests, `deletion(s) of ${table} items`);
  }
}

/** The per-key credentials of a session on DynamoDB (`DynamoCredentialStore`'s table), for delete and logout. */
export class DynamoCredentialsEraser implements CredentialsEraser {
  constructor(private readonly ctx: DynamoContext) {}

  async erase(sessionId: string): Promise<void> {
    await new DynamoSessionRecordsEraser(this.ctx).eraseCredentials(sessionId);
  }
}

/** The `mediaId` of the file an incoming message names (`content.<type>.mediaId`), if any. */
function inboundMediaId(item: Item): string[] {
  if (item['direction'] !== 'inbound') return [];
  const content = item['content'] as Record<string, unknown> | undefined;
  const type = content?.['type'];
  const body =
    typeof type === 'string' ? (content?.[type] as Record<string, unknown> | undefined) : undefined;
  const mediaId = body?.['mediaId'];
  return typeof mediaId === 'string' ? [mediaId] : [];
}
