/**
 * Lease renewals in batches (issue #14): one `BatchExecuteStatement` of up to 25 PartiQL updates instead of an
 * `UpdateItem` per session. A host renews every session it runs every `APP_LEASE_RENEW_MS`; one write each made a
 * full host of 200 sessions send ~67 calls a second for renewals alone, each costing the SDK's fixed per-call CPU
 * on the host (and a request on DynamoDB's side) for a write that changes one number.
 *
 * Each statement is its own conditional write (not a transaction: no double write cost, and one refusal does not
 * cancel the others), conditioned on `owner = this host AND desired = running`. A batch returns no items, so a
 * refusal does not say why (lease taken, session stopped, session gone): the caller asks again with the single
 * `renew`, which answers with the session or `LeaseLostError`. Refusals are rare (a takeover, a stop), so the
 * common round is ceil(N / 25) calls.
 */
import { BatchExecuteStatementCommand } from '@aws-sdk/lib-dynamodb';
import type { LeaseRenewal } from '../../ports/session-repository.js';
import type { DynamoContext } from './items.js';

/** DynamoDB's cap on statements per `BatchExecuteStatement`. */
export const MAX_STATEMENTS_PER_BATCH = 25;

/** A statement's error code that means its condition refused the write (the item unchanged). */
const CONDITION_FAILED = 'ConditionalCheckFailed';

export class LeaseRenewalBatch {
  private readonly statement: string;

  /** `table`: the sessions table's full name. */
  constructor(
    private readonly ctx: DynamoContext,
    table: string,
  ) {
    // The table name is ours (prefix + logical name), never input; values go in as parameters.
    this.statement = `UPDATE "${table}" SET leaseUntil = ? WHERE sessionId = ? AND "owner" = ? AND desired = ?`;
  }

  /** Every id gets an outcome; a call that fails as a whole fails each of its sessions with that error. */
  async renew(
    sessionIds: readonly string[],
    hostId: string,
    leaseUntil: number,
  ): Promise<Map<string, LeaseRenewal>> {
    const chunks: string[][] = [];
    for (let i = 0; i < sessionIds.length; i += MAX_STATEMENTS_PER_BATCH) {
      chunks.push(sessionIds.slice(i, i + MAX_STATEMENTS_PER_BATCH));
    }
    const outcomes = new Map<string, LeaseRenewal>();
    await Promise.all(
      chunks.map(async (ids) => {
        for (const [id, outcome] of await this.renewChunk(ids, hostId, leaseUntil)) outcomes.set(id, outcome);
      }),
    );
    return outcomes;
  }

  private async renewChunk(
    ids: readonly string[],
    hostId: string,
    leaseUntil: number,
  ): Promise<Array<[string, LeaseRenewal]>> {
    try {
      const out = await this.ctx.dynamo.send(
        new BatchExecuteStatementCommand({
          Statements: ids.map((id) => ({
            Statement: this.statement,
            Parameters: [leaseUntil, id, hostId, 'running'],
          })),
        }),
      );
      // One response per statement, in the statements' order.
      return ids.map((id, i): [string, LeaseRenewal] => {
        const error = out.Responses?.[i]?.Error;
        if (!error) return [id, 'renewed'];
        if (error.Code === CONDITION_FAILED) return [id, 'refused'];
        return [id, { failed: new Error(`${error.Code ?? 'error'}: ${error.Message ?? ''}`) }];
      });
    } catch (error) {
      const failed = error instanceof Error ? error : new Error(String(error));
      return ids.map((id) => [id, { failed }]);
    }
  }
}
