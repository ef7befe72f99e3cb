/**
 * One `BatchWriteItem` of up to 25 requests on one table, resent until DynamoDB has processed all of them:
 * throttled or oversized batches come back as `UnprocessedItems`, which must be retried (with a backoff) or they
 * are silently lost.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoContext, Item } from './items.js';

export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

const MAX_UNPROCESSED_ROUNDS = 8;

/** `what` names the items in the error thrown when rounds run out (e.g. "lid mapping(s)"). */
export async function batchWriteAll(
  ctx: DynamoContext,
  table: string,
  batch: readonly WriteRequest[],
  what: string,
): Promise<void> {
  let requests = [...batch];
  for (let round = 0; requests.length > 0; round += 1) {
    if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error(`could not write ${requests.length} ${what}`);
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    const out = await ctx.dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (out.UnprocessedItems?.[table] ?? []).flatMap((r): WriteRequest[] => {
      if (r.PutRequest?.Item) return [{ PutRequest: { Item: r.PutRequest.Item } }];
      if (r.DeleteRequest?.Key) return [{ DeleteRequest: { Key: r.DeleteRequest.Key } }];
      return [];
    });
  }
}
