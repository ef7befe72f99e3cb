/**
 * Messages table. Storage-only attributes, never returned:
 * - `chatKey` = `sessionId#chatJid` (byChat: history per chat);
 * - `waKey` = `sessionId#waMessageId` (byWaId: receipts back to our message), once WhatsApp's id is known;
 * - `queuedFor` = sessionId, only while the status is `queued` (sparse `queued` index: the send backlog);
 * - `sendingFor` = sessionId, only while the status is `sending` (sparse `sending` index: unfinished sends);
 * - `eventPendingSession` = sessionId, from `create(..., { eventPending: true })` until `clearPendingEvent`
 *   (sparse `byPendingEvent` index: the `message.received` outbox);
 * - `sentProto` (B) + `sentProtoAt` (ISO) on outbound messages: the proto Baileys sent, for retry receipts;
 * - `pollSecret` (B) on our polls: the message secret votes are encrypted with, kept before the first send;
 * - `receiptPendingFor` = sessionId on an inbound message marked read through the API until the host has sent
 *   its read receipt (sparse `readReceiptsPending` index).
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  MessageSchema,
  MessageStatusSchema,
  canAdvance,
  type Message,
  type MessageStatus,
} from '../../domain/message.js';
import { TABLES } from '../../definitions/tables.js';
import type {
  AdvanceStatusOptions,
  AdvanceStatusPart,
  AdvanceStatusResult,
  CreateMessageOptions,
  CreateMessageResult,
  ListByChatRequest,
  ListPendingEventsRequest,
  MessageRepository,
  SentProto,
} from '../../ports/message-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import { isConditionFailed, queryPage, tableName, toDomain, type DynamoContext, type Item } from './items.js';

const def = TABLES.messages;

/** One conditional status update: sent alone (`UpdateItem`) or as a transaction part (`TransactWriteItems`). */
type AdvanceUpdate = Required<
  Pick<
    UpdateCommandInput,
    | 'TableName'
    | 'Key'
    | 'UpdateExpression'
    | 'ConditionExpression'
    | 'ExpressionAttributeNames'
    | 'ExpressionAttributeValues'
  >
>;
const byChat = def.globalIndexes.find((i) => i.indexName === 'byChat')!;
const INTERNAL = [
  'chatKey',
  'waKey',
  'queuedFor',
  'sendingFor',
  'eventPendingSession',
  'sentProto',
  'sentProtoAt',
  'pollSecret',
  'receiptPendingFor',
] as const;
const DEFAULT_QUEUE_BATCH = 100;
const DEFAULT_PENDING_BATCH = 100;

/** For each target status, the stored statuses it may be reached from (the domain's `canAdvance`). */
const ADVANCE_FROM = Object.fromEntries(
  MessageStatusSchema.options.map((to) => [
    to,
    MessageStatusSchema.options.filter((from) => canAdvance(from, to)),
  ]),
) as Record<MessageStatus, MessageStatus[]>;

export const chatKeyOf = (sessionId: string, chatJid: string): string => `${sessionId}#${chatJid}`;
export const waKeyOf = (sessionId: string, waMessageId: string): string => `${sessionId}#${waMessageId}`;

export class DynamoMessageRepository implements MessageRepository {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'messages');
  }

  async create(message: Message, options: CreateMessageOptions = {}): Promise<CreateMessageResult> {
    const item = toItem(message);
    if (options.eventPending) item.eventPendingSession = message.sessionId;
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(messageId)',
        }),
      );
      return { message: fromItem(item), created: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const existing = await this.get(message.sessionId, message.id);
    // Only a concurrent delete could get here; the id is taken either way, so say so loudly.
    if (!existing) throw new Error(`message ${message.id} exists but could not be read`);
    return { message: existing, created: false };
  }

  async get(sessionId: string, messageId: string): Promise<Message | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { sessionId, messageId }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async advanceStatus(
    sessionId: string,
    messageId: string,
    to: MessageStatus,
    options: AdvanceStatusOptions,
  ): Promise<AdvanceStatusResult> {
    const update = this.advanceUpdate(sessionId, messageId, to, options);
    if (update) {
      try {
        const out = await this.ctx.dynamo.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
        return { changed: true, message: fromItem(out.Attributes ?? {}) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    }
    const current = await this.get(sessionId, messageId);
    if (!current) throw new NotFoundError(`message ${messageId} not found`);
    return { changed: false, message: current };
  }

  advanceStatusPart(message: Message, to: MessageStatus, options: AdvanceStatusOptions): AdvanceStatusPart {
    const update = this.advanceUpdate(message.sessionId, message.id, to, options);
    if (!update) throw new ConflictError(`nothing advances into ${to}`);
    const after: Message = {
      ...message,
      status: to,
      updatedAt: options.at,
      statusHistory: [...message.statusHistory, { status: to, at: options.at }],
      ...(options.waMessageId !== undefined ? { waMessageId: options.waMessageId } : {}),
      ...(options.error !== undefined ? { error: options.error } : {}),
    };
    return { part: { store: 'dynamodb', item: { Update: update } }, after };
  }

  /** The conditional update behind `advanceStatus` and its transaction part; null when nothing advances to `to`. */
  private advanceUpdate(
    sessionId: string,
    messageId: string,
    to: MessageStatus,
    options: AdvanceStatusOptions,
  ): AdvanceUpdate | null {
    const from = ADVANCE_FROM[to];
    if (from.length === 0) return null;
    const values: Record<string, unknown> = {
      ':to': to,
      ':at': options.at,
      ':entry': [{ status: to, at: options.at }],
    };
    from.forEach((status, i) => (values[`:from${i}`] = status));
    const set = ['#status = :to', 'updatedAt = :at', 'statusHistory = list_append(statusHistory, :entry)'];
    if (options.waMessageId !== undefined) {
      set.push('waMessageId = :wa', 'waKey = :waKey');
      values[':wa'] = options.waMessageId;
      values[':waKey'] = waKeyOf(sessionId, options.waMessageId);
    }
    if (options.error !== undefined) {
      set.push('#error = :error');
      values[':error'] = options.error;
    }
    if (options.readReceiptPending) {
      set.push('receiptPendingFor = :session');
      values[':session'] = sessionId;
    }
    if (options.sentProto !== undefined) {
      set.push('sentProto = :proto', 'sentProtoAt = :protoAt');
      values[':proto'] = options.sentProto.proto;
      values[':protoAt'] = options.sentProto.at;
    }
    // Nothing advances into `queued`, so every change leaves the send backlog; only `sending` enters the index of
    // unfinished sends, and every later change leaves it.
    if (to === 'sending') {
      set.push('sendingFor = :sendingFor');
      values[':sendingFor'] = sessionId;
    }
    const remove = to === 'sending' ? 'queuedFor' : 'queuedFor, sendingFor';
    return {
      TableName: this.table,
      Key: { sessionId, messageId },
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove}`,
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: {
        '#status': 'status',
        ...(options.error ? { '#error': 'error' } : {}),
      },
      ExpressionAttributeValues: values,
    };
  }

  async listQueued(sessionId: string, limit = DEFAULT_QUEUE_BATCH): Promise<Message[]> {
    // The index is eventually consistent: a message may still show here just after leaving `queued`. Senders
    // advance queued -> sending conditionally, which settles who sends it.
    return this.listSparse('queued', 'queuedFor', sessionId, limit);
  }

  async listSending(sessionId: string, limit = DEFAULT_QUEUE_BATCH): Promise<Message[]> {
    // Eventually consistent too: a send that just finished may still show; the resend's conditional claim
    // (`queued`/`sending` only) skips a finished one.
    return this.listSparse('sending', 'sendingFor', sessionId, limit);
  }

  /** A session's messages in one of the sparse per-session indexes, oldest first. */
  private async listSparse(
    indexName: 'queued' | 'sending',
    attribute: 'queuedFor' | 'sendingFor',
    sessionId: string,
    limit: number,
  ): Promise<Message[]> {
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: indexName,
        KeyConditionExpression: `${attribute} = :s`,
        ExpressionAttributeValues: { ':s': sessionId },
        ScanIndexForward: true,
        Limit: Math.max(1, Math.floor(limit)),
      }),
    );
    return (out.Items ?? []).map(fromItem);
  }

  async findByWaMessageId(sessionId: string, waMessageId: string): Promise<Message | null> {
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byWaId',
        KeyConditionExpression: 'waKey = :k',
        ExpressionAttributeValues: { ':k': waKeyOf(sessionId, waMessageId) },
        Limit: 1,
      }),
    );
    const item = out.Items?.[0];
    return item ? fromItem(item) : null;
  }

  listByChat(sessionId: string, chatJid: string, request: ListByChatRequest = {}): Promise<Page<Message>> {
    const chatKey = chatKeyOf(sessionId, chatJid);
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        IndexName: 'byChat',
        KeyConditionExpression: 'chatKey = :k',
        ExpressionAttributeValues: { ':k': chatKey },
        ScanIndexForward: request.direction === 'forward',
      },
      { attributes: [def.partitionKey, def.sortKey!, byChat.partitionKey], fixed: { chatKey, sessionId } },
      request,
      fromItem,
    );
  }

  listBySession(sessionId: string, page: PageRequest = {}): Promise<Page<Message>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        KeyConditionExpression: 'sessionId = :s',
        ExpressionAttributeValues: { ':s': sessionId },
        ScanIndexForward: false,
      },
      { attributes: [def.partitionKey, def.sortKey!], fixed: { sessionId } },
      page,
      fromItem,
    );
  }

  listPendingEvents(sessionId: string, request: ListPendingEventsRequest = {}): Promise<Message[]> {
    return this.listMarked('byPendingEvent', 'eventPendingSession', sessionId, {
      limit: request.limit ?? DEFAULT_PENDING_BATCH,
      ...(request.afterId === undefined ? {} : { afterId: request.afterId }),
    });
  }

  clearPendingEvent(sessionId: string, messageId: string): Promise<void> {
    return this.clearMarker(sessionId, messageId, 'eventPendingSession');
  }

  async saveSentProto(
    sessionId: string,
    messageId: string,
    proto: Uint8Array,
    sentAt: string,
  ): Promise<void> {
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId, messageId },
          UpdateExpression: 'SET sentProto = :proto, sentProtoAt = :at',
          ConditionExpression: 'attribute_exists(messageId) AND #direction = :outbound',
          ExpressionAttributeNames: { '#direction': 'direction' },
          ExpressionAttributeValues: { ':proto': proto, ':at': sentAt, ':outbound': 'outbound' },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`message ${messageId} not found`);
      throw error;
    }
  }

  async findSentProto(sessionId: string, waMessageId: string): Promise<SentProto | null> {
    // The index only names the message (it is eventually consistent); the proto is read from the item itself,
    // consistently, since it was written moments before a retry receipt can ask for it.
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byWaId',
        KeyConditionExpression: 'waKey = :k',
        ExpressionAttributeValues: { ':k': waKeyOf(sessionId, waMessageId) },
        ProjectionExpression: 'messageId',
        Limit: 1,
      }),
    );
    const messageId: unknown = out.Items?.[0]?.messageId;
    if (typeof messageId !== 'string') return null;
    const item = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { sessionId, messageId },
        ConsistentRead: true,
        ProjectionExpression: 'messageId, #direction, sentProto, sentProtoAt',
        ExpressionAttributeNames: { '#direction': 'direction' },
      }),
    );
    return sentProtoOf(item.Item);
  }

  listReadReceiptsPending(sessionId: string, limit = DEFAULT_PENDING_BATCH): Promise<Message[]> {
    return this.listMarked('readReceiptsPending', 'receiptPendingFor', sessionId, { limit });
  }

  clearReadReceiptPending(sessionId: string, messageId: string): Promise<void> {
    return this.clearMarker(sessionId, messageId, 'receiptPendingFor');
  }

  async ensurePollSecret(sessionId: string, messageId: string, candidate: Uint8Array): Promise<Uint8Array> {
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId, messageId },
          // One atomic write: a concurrent or later caller keeps the first secret.
          UpdateExpression: 'SET pollSecret = if_not_exists(pollSecret, :s)',
          ConditionExpression: 'attribute_exists(messageId)',
          ExpressionAttributeValues: { ':s': candidate },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const kept: unknown = out.Attributes?.pollSecret;
      if (!(kept instanceof Uint8Array)) throw new Error(`poll secret of ${messageId} not returned`);
      return kept;
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`message ${messageId} not found`);
      throw error;
    }
  }

  async findPollSecret(sessionId: string, messageId: string): Promise<Uint8Array | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { sessionId, messageId },
        ConsistentRead: true,
        ProjectionExpression: 'pollSecret',
      }),
    );
    const kept: unknown = out.Item?.pollSecret;
    return kept instanceof Uint8Array ? kept : null;
  }

  async replaceContent(message: Message, expectedUpdatedAt: string): Promise<boolean> {
    const m = MessageSchema.parse(message);
    const values: Record<string, unknown> = {
      ':type': m.type,
      ':content': m.content,
      ':at': m.updatedAt,
      ':prev': expectedUpdatedAt,
    };
    const set = ['#type = :type', 'content = :content', 'updatedAt = :at'];
    const optional = {
      edited: m.edited,
      editHistory: m.editHistory,
      revoked: m.revoked,
      revokedAt: m.revokedAt,
    };
    // A field the new version lacks is removed: a revoked message keeps no edit history (nothing of what it said).
    const remove: string[] = [];
    for (const [name, value] of Object.entries(optional)) {
      if (value === undefined) {
        remove.push(name);
        continue;
      }
      set.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
    // The proto kept for retry receipts holds the text too: a revoked message must not be resent from it.
    if (m.revoked) remove.push('sentProto', 'sentProtoAt', 'pollSecret');
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId: m.sessionId, messageId: m.id },
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(messageId) AND updatedAt = :prev',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Messages carrying a work marker (its value is the session id), oldest first, through the marker's sparse
   * index: only marked messages are in it, so the query reads nothing else.
   */
  private async listMarked(
    indexName: string,
    marker: string,
    sessionId: string,
    options: { limit: number; afterId?: string },
  ): Promise<Message[]> {
    const after = options.afterId;
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: indexName,
        KeyConditionExpression: after === undefined ? '#m = :s' : '#m = :s AND messageId > :after',
        ExpressionAttributeNames: { '#m': marker },
        ExpressionAttributeValues: { ':s': sessionId, ...(after === undefined ? {} : { ':after': after }) },
        ScanIndexForward: true,
        Limit: Math.max(1, Math.floor(options.limit)),
      }),
    );
    return (out.Items ?? []).map(fromItem);
  }

  /** Removes a work marker once its work is done, which takes the message out of the marker's index. */
  private async clearMarker(sessionId: string, messageId: string, marker: string): Promise<void> {
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId, messageId },
          UpdateExpression: 'REMOVE #m',
          ExpressionAttributeNames: { '#m': marker },
          // Never creates an item: a message deleted meanwhile has nothing left to clear.
          ConditionExpression: 'attribute_exists(messageId)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}

function sentProtoOf(item: Item | undefined): SentProto | null {
  const proto: unknown = item?.sentProto;
  const sentAt: unknown = item?.sentProtoAt;
  const messageId: unknown = item?.messageId;
  if (!(proto instanceof Uint8Array) || typeof sentAt !== 'string' || typeof messageId !== 'string')
    return null;
  if (item?.direction !== 'outbound') return null;
  return { messageId, proto, sentAt };
}

/** The stored item of a message (also written by the send transaction, `send-transaction.ts`). */
export function toItem(message: Message): Item {
  const { id, ...rest } = MessageSchema.parse(message);
  return {
    ...rest,
    messageId: id,
    chatKey: chatKeyOf(rest.sessionId, rest.chatJid),
    ...(rest.waMessageId ? { waKey: waKeyOf(rest.sessionId, rest.waMessageId) } : {}),
    ...(rest.status === 'queued' ? { queuedFor: rest.sessionId } : {}),
  };
}

function fromItem(item: Item): Message {
  return toDomain(MessageSchema, item, { internal: INTERNAL, rename: { messageId: 'id' } });
}
