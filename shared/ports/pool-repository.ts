/** Number pools and their routing state (docs/pools.md). */
import type { Pool, PoolAssignment, PoolMemberLoad } from '../domain/pool.js';
import type { Session } from '../domain/session.js';
import type { Page, PageRequest } from './pagination.js';

/** Everything routing one pool send needs besides the pool: read in one BatchGetItem. */
export interface PoolRoutingState {
  readonly assignment: PoolAssignment | null;
  /** Every member's session by id; `null` when it is gone. */
  readonly sessions: ReadonlyMap<string, Session | null>;
  readonly loads: ReadonlyMap<string, PoolMemberLoad>;
}

export interface PoolRepository {
  /** Fails with a `ConflictError` when the id exists. */
  create(pool: Pool): Promise<void>;
  get(tenantId: string, poolId: string): Promise<Pool | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<Pool>>;
  /** Replaces the pool as written at `expectedUpdatedAt`; false when it changed meanwhile (or is gone). */
  replace(pool: Pool, expectedUpdatedAt: string): Promise<boolean>;
  /** The pool, its members' loads and its assignments. */
  delete(tenantId: string, poolId: string): Promise<void>;
  /** The contact's assignment and every member's session and load, strongly consistent, in one round trip. */
  routingState(pool: Pool, contact: string): Promise<PoolRoutingState>;
  assignment(poolId: string, contact: string): Promise<PoolAssignment | null>;
  /** Every member's load (stats). */
  loads(pool: Pool): Promise<ReadonlyMap<string, PoolMemberLoad>>;
  /** The pools in which `contact` is assigned to session `memberId` (an inbound message's `poolId`). */
  poolsOfContact(memberId: string, contact: string): Promise<string[]>;
  /**
   * The tenant's pools that have session `sessionId` as a member (pool failover). One Query of the tenant's
   * pool items: a tenant has few pools, so no session-to-pool index is kept (docs/pools.md, "Failover worker").
   */
  poolsOfMember(tenantId: string, sessionId: string): Promise<Pool[]>;
  /** Every assignment on member `memberId` (its contacts, in every pool). */
  assignmentsOf(memberId: string): Promise<PoolAssignment[]>;
}
