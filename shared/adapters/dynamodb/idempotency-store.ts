/**
 * `Idempotency-Key` records in the `idempotency` table (the Powertools layout: key `id`, TTL `expiration` in
 * epoch seconds). A claim is one conditional put; the loser of a race reads the winner's record back
 * (strongly consistent) and adopts its result id. Expired records are treated as absent, because DynamoDB
 * deletes them only eventually (DynamoDB Local never).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  IDEMPOTENCY_TTL_SECONDS,
  IdempotencyKeyReusedError,
  type IdempotencyClaim,
  type IdempotencyStore,
} from '../../ports/idempotency-store.js';
import { isConditionFailed, tableName, type DynamoContext } from './items.js';

export class DynamoIdempotencyStore implements IdempotencyStore {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'idempotency');
  }

  async claim(claim: IdempotencyClaim): Promise<string> {
    const id = `http#${claim.scope}#${claim.key}`;
    const nowSeconds = Math.floor(claim.now / 1000);
    // Two rounds at most: a record that expires between our put and our read is claimed again once.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await this.ctx.dynamo.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              id,
              fingerprint: claim.fingerprint,
              resultId: claim.candidateId,
              status: 'COMPLETED',
              expiration: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(id) OR expiration < :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        return claim.candidateId;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      const out = await this.ctx.dynamo.send(
        new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }),
      );
      const item = out.Item;
      if (!item || typeof item['expiration'] !== 'number' || item['expiration'] < nowSeconds) continue;
      if (item['fingerprint'] !== claim.fingerprint) throw new IdempotencyKeyReusedError();
      if (typeof item['resultId'] !== 'string') throw new Error(`idempotency record ${id} has no result id`);
      return item['resultId'];
    }
    throw new Error(`idempotency record ${id} could not be claimed`);
  }
}
