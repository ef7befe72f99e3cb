/**
 * Sessions table. Invariants kept by every write here:
 * - `leaseUntil` is always a number (0 when unowned) and `desired` always set, so the `byLease` GSI holds every
 *   session and `desired = running AND leaseUntil < now` finds both unowned and expired ones;
 * - `owner` exists only while a host holds (or held, until expiry) the lease, so `byOwner` is sparse;
 * - `leaseEpoch` goes up by one with every claim by a new owner (from nobody or an expired lease of another host)
 *   and never otherwise, so (owner, leaseEpoch) names one tenure of the lease: the fence of credential writes;
 * - `inQuota` (storage only) marks a session counted in `sessionCount` on its tenant's item (`session-quota.ts`):
 *   the count goes up with the put and down with the delete, each in one transaction with the session write.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { nowIso } from '../../domain/ids.js';
import {
  SessionSchema,
  SessionStatusSchema,
  canTransition,
  type DesiredState,
  type RejectCalls,
  type Session,
  type SessionStatus,
} from '../../domain/session.js';
import { TABLES } from '../../definitions/tables.js';
import {
  LeaseLostError,
  type LeaseRenewal,
  type SessionDetailsPatch,
  type SessionRepository,
  type SessionWriteGuard,
} from '../../ports/session-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import {
  isConditionFailed,
  patchClauses,
  queryAll,
  queryPage,
  tableName,
  toDomain,
  updateExpression,
  type DynamoContext,
  type Item,
} from './items.js';
import { LeaseRenewalBatch } from './lease-renewals.js';
import { IN_QUOTA, deleteCountedSession, putCountedSession } from './session-quota.js';

const def = TABLES.sessions;
const byTenant = def.globalIndexes.find((i) => i.indexName === 'byTenant')!;

/** For each status, the stored statuses a write may move from: the same status or an allowed transition. */
const SESSION_STATUSES_INTO = Object.fromEntries(
  SessionStatusSchema.options.map((to) => [
    to,
    SessionStatusSchema.options.filter((from) => from === to || canTransition(from, to)),
  ]),
) as Record<SessionStatus, SessionStatus[]>;

export class DynamoSessionRepository implements SessionRepository {
  private readonly table: string;
  private readonly renewals: LeaseRenewalBatch;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'sessions');
    this.renewals = new LeaseRenewalBatch(ctx, this.table);
  }

  async create(session: Session): Promise<Session> {
    const item = toItem(session);
    try {
      await this.ctx.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(sessionId)',
        }),
      );
      return fromItem(item);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    return this.sameOrConflict(session);
  }

  async createWithinQuota(session: Session, maxSessions: number): Promise<Session> {
    const item = toItem(session);
    if ((await putCountedSession(this.ctx, session.tenantId, item, maxSessions)) === 'created')
      return fromItem(item);
    return this.sameOrConflict(session);
  }

  /** The id is taken: the same session again (a retry) is answered as stored; anything else is a conflict. */
  private async sameOrConflict(session: Session): Promise<Session> {
    const existing = await this.getById(session.id);
    if (existing && existing.tenantId === session.tenantId && existing.name === session.name) return existing;
    throw new ConflictError(`session ${session.id} already exists`);
  }

  async get(tenantId: string, sessionId: string): Promise<Session | null> {
    const session = await this.getById(sessionId);
    return session && session.tenantId === tenantId ? session : null;
  }

  async getById(sessionId: string): Promise<Session | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { sessionId }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  listByTenant(tenantId: string, page: PageRequest = {}): Promise<Page<Session>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        IndexName: 'byTenant',
        KeyConditionExpression: 'tenantId = :t',
        ExpressionAttributeValues: { ':t': tenantId },
      },
      { attributes: [def.partitionKey, byTenant.partitionKey], fixed: { tenantId } },
      page,
      fromItem,
    );
  }

  updateStatus(
    sessionId: string,
    status: SessionStatus,
    details: SessionDetailsPatch = {},
    guard: SessionWriteGuard = {},
  ): Promise<Session> {
    return this.patch(sessionId, { ...details, status }, guard);
  }

  updateDetails(
    sessionId: string,
    details: SessionDetailsPatch,
    guard: SessionWriteGuard = {},
  ): Promise<Session> {
    return this.patch(sessionId, details, guard);
  }

  async setDesired(tenantId: string, sessionId: string, desired: DesiredState): Promise<Session> {
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId },
          UpdateExpression: 'SET desired = :d, updatedAt = :u',
          ConditionExpression: 'tenantId = :t',
          ExpressionAttributeValues: { ':d': desired, ':u': nowIso(), ':t': tenantId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes!);
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`session ${sessionId} not found`);
      throw error;
    }
  }

  async setRejectCalls(tenantId: string, sessionId: string, rejectCalls: RejectCalls): Promise<Session> {
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId },
          UpdateExpression: 'SET rejectCalls = :r, updatedAt = :u',
          ConditionExpression: 'tenantId = :t',
          ExpressionAttributeValues: { ':r': rejectCalls, ':u': nowIso(), ':t': tenantId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes!);
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`session ${sessionId} not found`);
      throw error;
    }
  }

  async delete(tenantId: string, sessionId: string): Promise<void> {
    const stored = await this.ctx.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { sessionId },
        ProjectionExpression: 'tenantId, #inQuota',
        ExpressionAttributeNames: { '#inQuota': IN_QUOTA },
        ConsistentRead: true,
      }),
    );
    if (stored.Item?.['tenantId'] === tenantId && stored.Item[IN_QUOTA] === true) {
      if (await deleteCountedSession(this.ctx, tenantId, sessionId)) return;
    }
    try {
      await this.ctx.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { sessionId },
          ConditionExpression: 'tenantId = :t',
          ExpressionAttributeValues: { ':t': tenantId },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`session ${sessionId} not found`);
      throw error;
    }
  }

  async claim(sessionId: string, hostId: string, leaseMs: number, now: number): Promise<Session | null> {
    // Two conditional writes, because only a takeover raises the epoch: first as a new owner (from nobody, or
    // an expired lease of another host), then, when that condition fails, as the owner we already are.
    return (
      (await this.claimAs(sessionId, hostId, leaseMs, now, 'takeover')) ??
      (await this.claimAs(sessionId, hostId, leaseMs, now, 'same-owner'))
    );
  }

  private async claimAs(
    sessionId: string,
    hostId: string,
    leaseMs: number,
    now: number,
    as: 'takeover' | 'same-owner',
  ): Promise<Session | null> {
    const takeover = as === 'takeover';
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId },
          UpdateExpression: takeover
            ? 'SET #owner = :h, leaseUntil = :until ADD leaseEpoch :one'
            : 'SET #owner = :h, leaseUntil = :until',
          // Only a session someone wants running is worth driving; a stopped one must stay down.
          ConditionExpression:
            'attribute_exists(sessionId) AND desired = :running AND ' +
            (takeover
              ? '(attribute_not_exists(#owner) OR (#owner <> :h AND leaseUntil < :now))'
              : '#owner = :h'),
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':h': hostId,
            ':until': now + leaseMs,
            ':running': 'running',
            ...(takeover ? { ':now': now, ':one': 1 } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes!);
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }

  async renew(sessionId: string, hostId: string, leaseMs: number, now: number): Promise<Session> {
    // Owner alone decides: if our lease lapsed but nobody claimed it, it is still safely ours to extend, and the
    // condition is atomic with the write, so a concurrent claim by another host cannot interleave.
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId },
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: '#owner = :h',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':h': hostId, ':until': now + leaseMs },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes!);
    } catch (error) {
      if (isConditionFailed(error)) throw new LeaseLostError(sessionId, hostId);
      throw error;
    }
  }

  renewMany(
    sessionIds: readonly string[],
    hostId: string,
    leaseMs: number,
    now: number,
  ): Promise<Map<string, LeaseRenewal>> {
    return this.renewals.renew(sessionIds, hostId, now + leaseMs);
  }

  async release(sessionId: string, hostId: string): Promise<boolean> {
    try {
      await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId },
          UpdateExpression: 'SET leaseUntil = :zero REMOVE #owner',
          ConditionExpression: '#owner = :h',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':h': hostId, ':zero': 0 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async findClaimable(now: number, limit: number): Promise<Session[]> {
    // The GSI is eventually consistent: callers still `claim`, whose condition is the real arbiter.
    const out = await this.ctx.dynamo.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byLease',
        KeyConditionExpression: 'desired = :running AND leaseUntil < :now',
        ExpressionAttributeValues: { ':running': 'running', ':now': now },
        Limit: Math.max(1, Math.floor(limit)),
      }),
    );
    return (out.Items ?? []).map(fromItem);
  }

  async listByOwner(hostId: string): Promise<Session[]> {
    const items = await queryAll(this.ctx, {
      TableName: this.table,
      IndexName: 'byOwner',
      KeyConditionExpression: '#owner = :h',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':h': hostId },
    });
    return items.map(fromItem);
  }

  private async patch(
    sessionId: string,
    fields: SessionDetailsPatch & { status?: SessionStatus },
    guard: SessionWriteGuard,
  ): Promise<Session> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const { set, remove } = patchClauses({ ...fields, updatedAt: nowIso() }, names, values);
    if (fields.status !== undefined) downSinceClause(fields.status, set, remove, names);
    const conditions = ['attribute_exists(sessionId)'];
    if (guard.hostId !== undefined) {
      names['#owner'] = 'owner';
      values[':host'] = guard.hostId;
      conditions.push('#owner = :host');
    }
    if (fields.status !== undefined) {
      // The machine is enforced in the write itself, so a late write from a slower writer cannot undo a newer one.
      const from = SESSION_STATUSES_INTO[fields.status];
      from.forEach((f, i) => (values[`:from${i}`] = f));
      conditions.push(`#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`);
    }
    try {
      const out = await this.ctx.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { sessionId },
          UpdateExpression: updateExpression(set, remove),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(out.Attributes!);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const current = await this.getById(sessionId);
      if (!current) throw new NotFoundError(`session ${sessionId} not found`);
      if (guard.hostId !== undefined && current.owner !== guard.hostId)
        throw new LeaseLostError(sessionId, guard.hostId);
      throw new ConflictError(
        `session ${sessionId} cannot go from ${current.status} to ${fields.status ?? '?'}`,
      );
    }
  }
}

/** Statuses of a session on its way back: `downSince` keeps the first write of a run of them. */
const DOWN_STATUSES: ReadonlySet<SessionStatus> = new Set(['starting', 'reconnecting', 'qr', 'pairing']);

/**
 * `downSince` (pool failover's grace, docs/pools.md): set by the first write of a down status (the write's own
 * `updatedAt`), kept by later ones (each reconnect attempt writes `reconnecting` again), removed by any other
 * status (connected, or stopped: a later start is a new run).
 */
function downSinceClause(
  status: SessionStatus,
  set: string[],
  remove: string[],
  names: Record<string, string>,
): void {
  names['#downSince'] = 'downSince';
  if (DOWN_STATUSES.has(status)) set.push('#downSince = if_not_exists(#downSince, :updatedAt)');
  else remove.push('#downSince');
}

/** The table's key is `sessionId`; the domain calls it `id`. A new session is always unowned, epoch absent (0). */
function toItem(session: Session): Item {
  const { id, owner: _owner, leaseUntil: _lease, leaseEpoch: _epoch, ...rest } = SessionSchema.parse(session);
  return { ...rest, sessionId: id, leaseUntil: 0 };
}

export function fromItem(item: Item): Session {
  return toDomain(SessionSchema, item, { internal: [IN_QUOTA], rename: { sessionId: 'id' } });
}
