/**
 * The pool part of a send's `TransactWriteItems` (docs/pools.md, "One transaction"): the contact's assignment,
 * conditioned so racing sends agree, and the member's load (its day's new contacts under its allowance, its
 * sent count, its last send); on a move, the old member's load gives the contact up.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { PoolSendPart } from '../../ports/send-writer.js';
import { loadKey } from './pool-repository.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface PoolSendItems {
  readonly items: TransactItem[];
  /** Offsets within `items` whose refusal means "route again". */
  readonly stale: readonly number[];
}

export function poolSendItems(
  tables: { readonly pools: string; readonly poolAssignments: string },
  tenantId: string,
  memberId: string,
  part: PoolSendPart,
  now: number,
): PoolSendItems {
  const items: TransactItem[] = [];
  const { assignment } = part;
  const key = { poolId: part.poolId, contact: part.contact };
  if (assignment.kind === 'keep') {
    items.push({
      ConditionCheck: {
        TableName: tables.poolAssignments,
        Key: key,
        ConditionExpression: 'version = :v AND memberId = :m',
        ExpressionAttributeValues: { ':v': assignment.version, ':m': memberId },
      },
    });
  } else {
    items.push({
      Put: {
        TableName: tables.poolAssignments,
        Item: { ...assignment.item },
        ...(assignment.kind === 'create'
          ? { ConditionExpression: 'attribute_not_exists(contact)' }
          : {
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': assignment.expectedVersion },
            }),
      },
    });
  }

  const loadItemKey = { tenantId, itemKey: loadKey(part.poolId, memberId) };
  const ids = { ':pool': part.poolId, ':session': memberId, ':one': 1, ':now': now, ':today': part.today };
  if (assignment.kind === 'keep') {
    items.push({
      Update: {
        TableName: tables.pools,
        Key: loadItemKey,
        UpdateExpression: 'SET poolId = :pool, sessionId = :session, lastSentAt = :now ADD sent :one',
        ExpressionAttributeValues: {
          ':pool': ids[':pool'],
          ':session': ids[':session'],
          ':one': 1,
          ':now': now,
        },
      },
    });
  } else if (part.loadIsToday) {
    // Today's count goes up by one only while under the allowance: racing new contacts cannot pass the cap.
    items.push({
      Update: {
        TableName: tables.pools,
        Key: loadItemKey,
        UpdateExpression: 'SET lastSentAt = :now ADD sent :one, newContactsToday :one, contactsAssigned :one',
        ConditionExpression: '#day = :today AND newContactsToday < :allowance',
        ExpressionAttributeNames: { '#day': 'day' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':now': now,
          ':today': part.today,
          ':allowance': part.allowance,
        },
      },
    });
  } else {
    // The first new contact of the member's day: the day's count starts again at one.
    items.push({
      Update: {
        TableName: tables.pools,
        Key: loadItemKey,
        UpdateExpression:
          'SET poolId = :pool, sessionId = :session, lastSentAt = :now, #day = :today, newContactsToday = :one ' +
          'ADD sent :one, contactsAssigned :one',
        ConditionExpression: 'attribute_not_exists(#day) OR #day <> :today',
        ExpressionAttributeNames: { '#day': 'day' },
        ExpressionAttributeValues: ids,
      },
    });
  }
  if (assignment.kind === 'move') {
    items.push({
      Update: {
        TableName: tables.pools,
        Key: { tenantId, itemKey: loadKey(part.poolId, assignment.previousMemberId) },
        UpdateExpression:
          'SET poolId = :pool, sessionId = :session ADD contactsAssigned :minus, reassignedAway :one',
        ExpressionAttributeValues: {
          ':pool': part.poolId,
          ':session': assignment.previousMemberId,
          ':minus': -1,
          ':one': 1,
        },
      },
    });
  }
  return { items, stale: [0, 1] };
}
