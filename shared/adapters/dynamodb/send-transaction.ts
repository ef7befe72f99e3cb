/**
 * An API send as one `TransactWriteItems` (`SendWriter`, `docs/api.md` "Send path"), in this order:
 *
 * 0. ConditionCheck `sessions`: the session is this tenant's and `desired = running`;
 * 1. Put `idempotency` (only with an `Idempotency-Key`): the key's claim, as `DynamoIdempotencyStore` writes it;
 * 2. Update `rateLimits`: the session's send-window hit (`windowHitUpdate`, the counter's own update);
 * 3. Put `messages`: the `queued` message;
 * 4. Update `chats`: the chat's last message, only forward in time.
 *
 * A refusal comes back as `CancellationReasons`, one per item in that order, with the refused item as it was
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`): which is what tells 404 from 409 and gives the 429 its
 * `Retry-After`. Two rarer cases write again: a chat that already shows a newer message is written without
 * replacing its preview (as `DynamoChatRepository.recordMessage` does), and a transaction that met another one
 * on the same items (`TransactionConflict`: racing retries of one key, a busy session's counter) is retried
 * after a short random pause, after which a racer sees the winner's claim and replays it.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_TTL_SECONDS } from '../../ports/idempotency-store.js';
import type { SendWrite, SendWriteOutcome, SendWriter } from '../../ports/send-writer.js';
import { SessionStatusSchema } from '../../domain/session.js';
import { setClauses, tableName, type DynamoContext, type Item } from './items.js';
import { toItem as messageItem } from './message-repository.js';
import { windowHitUpdate, windowTotals } from './rate-limit-counter.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Reason = { readonly code: string | undefined; readonly item: Item | undefined };

/** Enough for ten racing retries of one key on a busy 2-core machine; each round is one short transaction. */
const MAX_ATTEMPTS = 8;
const CONFLICT_PAUSE_MS = 8;

/** An attribute from a cancellation reason's item, which the document client leaves marshalled (`{ S: 'x' }`). */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if ('S' in value) return (value as { S: string }).S;
  if ('N' in value) return Number((value as { N: string }).N);
  return value;
}

function reasonsOf(error: unknown): Reason[] | null {
  const cancelled =
    error instanceof TransactionCanceledException ||
    (error instanceof Error && error.name === 'TransactionCanceledException');
  if (!cancelled) return null;
  const reasons = (error as Partial<TransactionCanceledException>).CancellationReasons ?? [];
  return reasons.map((r) => ({ code: r.Code, item: r.Item as Item | undefined }));
}

export class DynamoSendTransaction implements SendWriter {
  private readonly tables: Record<'sessions' | 'idempotency' | 'rateLimits' | 'messages' | 'chats', string>;

  constructor(private readonly ctx: DynamoContext) {
    this.tables = {
      sessions: tableName(ctx, 'sessions'),
      idempotency: tableName(ctx, 'idempotency'),
      rateLimits: tableName(ctx, 'rateLimits'),
      messages: tableName(ctx, 'messages'),
      chats: tableName(ctx, 'chats'),
    };
  }

  async write(send: SendWrite): Promise<SendWriteOutcome> {
    let preview = true;
    for (let attempt = 1; ; attempt += 1) {
      const items = this.itemsOf(send, preview);
      try {
        await this.ctx.dynamo.send(new TransactWriteCommand({ TransactItems: items.list }));
        return { kind: 'stored' };
      } catch (error) {
        const reasons = reasonsOf(error);
        if (reasons === null) throw error;
        const refused = (at: number | undefined): Reason | undefined =>
          at === undefined
            ? undefined
            : reasons[at]?.code === 'ConditionalCheckFailed'
              ? reasons[at]
              : undefined;

        const session = refused(items.at.session);
        if (session) {
          const tenantId = plain(session.item?.['tenantId']);
          if (tenantId !== send.message.tenantId) return { kind: 'no-session' };
          const status = SessionStatusSchema.safeParse(plain(session.item?.['status']));
          return { kind: 'session-stopped', status: status.success ? status.data : 'unknown' };
        }
        const claim = refused(items.at.idempotency);
        if (claim) {
          if (plain(claim.item?.['fingerprint']) !== send.idempotency?.fingerprint)
            return { kind: 'key-reused' };
          const resultId = plain(claim.item?.['resultId']);
          if (typeof resultId !== 'string')
            throw new Error('idempotency record has no result id', { cause: error });
          return { kind: 'replayed', messageId: resultId };
        }
        const conflicted = reasons.some((r) => r.code === 'TransactionConflict');
        if (conflicted) {
          if (attempt >= MAX_ATTEMPTS) throw error;
          await pause(Math.random() * CONFLICT_PAUSE_MS * attempt);
          continue;
        }
        const rate = refused(items.at.rate);
        if (rate) {
          return {
            kind: 'rate-limited',
            hit: { counted: false, totals: windowTotals(rate.item, send.sendRate.window) },
          };
        }
        if (refused(items.at.chat) && preview && attempt < MAX_ATTEMPTS) {
          // The chat shows a newer message already (an inbound one stored meanwhile): keep its preview.
          preview = false;
          continue;
        }
        throw error;
      }
    }
  }

  private itemsOf(
    send: SendWrite,
    preview: boolean,
  ): { list: TransactItem[]; at: { session: number; idempotency?: number; rate: number; chat?: number } } {
    const { message, chat } = send;
    const nowSeconds = Math.floor(send.now / 1000);
    const list: TransactItem[] = [];
    const push = (item: TransactItem): number => list.push(item) - 1;

    const session = push({
      ConditionCheck: {
        TableName: this.tables.sessions,
        Key: { sessionId: message.sessionId },
        ConditionExpression: 'tenantId = :tenant AND desired = :running',
        ExpressionAttributeValues: { ':tenant': message.tenantId, ':running': 'running' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
    const idempotency =
      send.idempotency === undefined
        ? undefined
        : push({
            Put: {
              TableName: this.tables.idempotency,
              Item: {
                id: `http#${send.idempotency.scope}#${send.idempotency.key}`,
                fingerprint: send.idempotency.fingerprint,
                resultId: message.id,
                status: 'COMPLETED',
                expiration: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
              },
              // An expired record is free again: DynamoDB deletes them only eventually (DynamoDB Local never).
              ConditionExpression: 'attribute_not_exists(id) OR expiration < :now',
              ExpressionAttributeValues: { ':now': nowSeconds },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          });
    const rate = push({
      Update: {
        TableName: this.tables.rateLimits,
        ...windowHitUpdate(send.sendRate.bucket, send.sendRate.limit, send.sendRate.window),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
    push({
      Put: {
        TableName: this.tables.messages,
        Item: messageItem(message),
        ConditionExpression: 'attribute_not_exists(messageId)',
      },
    });
    // An edit or a revoke is not a new line in the chat list: the chat (which its target made) is left alone.
    if (send.chatPreview === false)
      return { list, at: { session, ...(idempotency === undefined ? {} : { idempotency }), rate } };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':unread': 0, ':zero': 0 };
    const profile = setClauses({ tenantId: chat.tenantId, phone: chat.phone }, names, values);
    const chatUpdate = preview
      ? {
          UpdateExpression: `SET ${[
            ...profile,
            'lastMessage = :lm',
            'lastMessageAt = :at',
            'unreadCount = if_not_exists(unreadCount, :zero) + :unread',
          ].join(', ')}`,
          // ISO timestamps of one format compare correctly as strings.
          ConditionExpression: 'attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at',
          ExpressionAttributeValues: { ...values, ':lm': chat.lastMessage, ':at': chat.lastMessage.at },
        }
      : {
          UpdateExpression: `SET ${[...profile, 'unreadCount = if_not_exists(unreadCount, :zero) + :unread'].join(', ')}`,
          ExpressionAttributeValues: values,
        };
    const chatAt = push({
      Update: {
        TableName: this.tables.chats,
        Key: { sessionId: chat.sessionId, chatJid: chat.chatJid },
        ExpressionAttributeNames: names,
        ...chatUpdate,
      },
    });
    return {
      list,
      at: { session, ...(idempotency === undefined ? {} : { idempotency }), rate, chat: chatAt },
    };
  }
}
