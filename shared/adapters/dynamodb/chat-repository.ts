/** Chats table; `lastMessageAt` (copy of `lastMessage.at`) is the byActivity sort key and never returned. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ChatSchema, type Chat, type ChatStateChange } from '../../domain/chat.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { TABLES } from '../../definitions/tables.js';
import type { ChatRepository, MarkReadOptions, RecordChatMessageInput } from '../../ports/chat-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import {
  isConditionFailed,
  patchExistingItem,
  queryPage,
  setClauses,
  tableName,
  toDomain,
  type DynamoContext,
  type Item,
} from './items.js';

const def = TABLES.chats;
const byActivity = def.globalIndexes.find((i) => i.indexName === 'byActivity')!;
const INTERNAL = ['lastMessageAt'] as const;

export class DynamoChatRepository implements ChatRepository {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'chats');
  }

  async recordMessage(input: RecordChatMessageInput): Promise<Chat> {
    const { sessionId, chatJid, lastMessage } = input;
    const unread = lastMessage.direction === 'inbound' ? 1 : 0;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':unread': unread };
    const profile = setClauses(
      { tenantId: input.tenantId, phone: input.phone, lid: input.lid, name: input.name },
      names,
      values,
    );
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId, chatJid },
          UpdateExpression: `SET ${[
            ...profile,
            'lastMessage = :lm',
            'lastMessageAt = :at',
            'unreadCount = if_not_exists(unreadCount, :zero) + :unread',
          ].join(', ')}`,
          // ISO timestamps of one format compare correctly as strings.
          ConditionExpression: 'attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':lm': lastMessage, ':at': lastMessage.at, ':zero': 0 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    // An older message arrived after a newer one: it still counts as unread, the preview stays the newer one.
    const out = await this.ctx.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { sessionId, chatJid },
        UpdateExpression: `SET ${[...profile, 'unreadCount = unreadCount + :unread'].join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromItem(out.Attributes ?? {});
  }

  async get(sessionId: string, chatJid: string): Promise<Chat | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { sessionId, chatJid }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async markRead(sessionId: string, chatJid: string, options: MarkReadOptions = {}): Promise<Chat> {
    const expected = options.ifLastMessageId;
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId, chatJid },
          UpdateExpression: 'SET unreadCount = :zero',
          ConditionExpression:
            expected === undefined
              ? 'attribute_exists(chatJid)'
              : 'attribute_exists(chatJid) AND lastMessage.id = :seen',
          ExpressionAttributeValues: { ':zero': 0, ...(expected === undefined ? {} : { ':seen': expected }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    if (expected !== undefined && (await this.get(sessionId, chatJid)))
      throw new ConflictError(`chat ${chatJid} has a newer message`);
    throw new NotFoundError(`chat ${chatJid} not found`);
  }

  async setState(sessionId: string, chatJid: string, change: ChatStateChange): Promise<Chat | null> {
    if (Object.values(change).every((value) => value === undefined)) return this.get(sessionId, chatJid);
    const item = await patchExistingItem(this.ctx, {
      table: this.table,
      key: { sessionId, chatJid },
      existsAttribute: 'chatJid',
      patch: { ...change },
    });
    return item === null ? null : fromItem(item);
  }

  listByActivity(sessionId: string, page: PageRequest = {}): Promise<Page<Chat>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        IndexName: 'byActivity',
        KeyConditionExpression: 'sessionId = :s',
        ExpressionAttributeValues: { ':s': sessionId },
        ScanIndexForward: false,
      },
      { attributes: [def.partitionKey, def.sortKey!, byActivity.sortKey!], fixed: { sessionId } },
      page,
      fromItem,
    );
  }
}

function fromItem(item: Item): Chat {
  return toDomain(ChatSchema, item, { internal: INTERNAL });
}
