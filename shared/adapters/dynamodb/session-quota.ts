/**
 * The session quota, kept as `sessionCount` on the tenant's item and moved in the same transaction as the
 * session item it counts (docs/data-model.md). A counted session carries `inQuota: true` (storage only), so its
 * delete knows to give the place back and a session written outside the quota (fixtures, tooling) never does.
 *
 * Transactions on one tenant's item conflict with each other when they overlap (`TransactionConflict`); creates
 * racing for a tenant's places are retried a few times with jitter before giving up with a 409 to retry.
 */
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, QuotaExceededError } from '../../domain/errors.js';
import { cancellationCodes, tableName, type DynamoContext, type Item } from './items.js';

/** Storage-only attribute of a session counted in its tenant's `sessionCount`. */
export const IN_QUOTA = 'inQuota';

/** Attempts of a transaction that keeps conflicting with another on the same tenant item. */
const CONFLICT_ATTEMPTS = 6;
const CONFLICT_BACKOFF_MS = 20;

export type CountedPutOutcome = 'created' | 'exists';

/**
 * Puts the session item (which must not exist) and raises the tenant's count below `maxSessions`, together.
 * `exists` when the session id is taken (the caller decides whether that is a retry); `QuotaExceededError`
 * when the tenant is at its limit or has no item.
 */
export async function putCountedSession(
  ctx: DynamoContext,
  tenantId: string,
  item: Item,
  maxSessions: number,
): Promise<CountedPutOutcome> {
  if (maxSessions <= 0) throw new QuotaExceededError(`tenant ${tenantId} may have no session`);
  const codes = await transact(ctx, {
    TransactItems: [
      {
        Put: {
          TableName: tableName(ctx, 'sessions'),
          Item: { ...item, [IN_QUOTA]: true },
          ConditionExpression: 'attribute_not_exists(sessionId)',
        },
      },
      {
        Update: {
          TableName: tableName(ctx, 'tenants'),
          Key: { tenantId },
          UpdateExpression: 'SET sessionCount = if_not_exists(sessionCount, :zero) + :one',
          ConditionExpression:
            'attribute_exists(tenantId) AND (attribute_not_exists(sessionCount) OR sessionCount < :max)',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': maxSessions },
        },
      },
    ],
  });
  if (codes === undefined) return 'created';
  if (codes[0] === 'ConditionalCheckFailed') return 'exists';
  throw new QuotaExceededError(
    `tenant ${tenantId} is at its limit of ${maxSessions} session(s), or does not exist`,
  );
}

/**
 * Deletes a counted session of the tenant and lowers the count, together, so two racing deletes give back one
 * place (`NotFoundError` for the loser). `false` when the count cannot go down (the tenant item was replaced):
 * the caller then deletes the session alone rather than keep it forever.
 */
export async function deleteCountedSession(
  ctx: DynamoContext,
  tenantId: string,
  sessionId: string,
): Promise<boolean> {
  const codes = await transact(ctx, {
    TransactItems: [
      {
        Delete: {
          TableName: tableName(ctx, 'sessions'),
          Key: { sessionId },
          ConditionExpression: 'tenantId = :t',
          ExpressionAttributeValues: { ':t': tenantId },
        },
      },
      {
        Update: {
          TableName: tableName(ctx, 'tenants'),
          Key: { tenantId },
          UpdateExpression: 'SET sessionCount = sessionCount - :one',
          ConditionExpression: 'sessionCount >= :one',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ],
  });
  if (codes === undefined) return true;
  if (codes[0] === 'ConditionalCheckFailed') throw new NotFoundError(`session ${sessionId} not found`);
  return false;
}

/**
 * Runs the transaction, retrying overlaps with other transactions. `undefined` when it committed, else the
 * per-item codes of a cancellation caused by a failed condition. Any other error is thrown.
 */
async function transact(
  ctx: DynamoContext,
  input: TransactWriteCommandInput,
): Promise<(string | undefined)[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.dynamo.send(new TransactWriteCommand(input));
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes.includes('ConditionalCheckFailed')) return codes;
      if (!codes.includes('TransactionConflict')) throw error;
      if (attempt >= CONFLICT_ATTEMPTS) {
        throw new ConflictError('Too many concurrent session changes for this tenant; retry');
      }
      await new Promise((r) => setTimeout(r, CONFLICT_BACKOFF_MS * attempt * (0.5 + Math.random())));
    }
  }
}
