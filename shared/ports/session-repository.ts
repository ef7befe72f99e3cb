/**
 * Sessions and their ownership leases (DESIGN.md section 3). The lease operations are the only way a host may
 * take, keep or give up a session; each is one conditional write, so two hosts can never both believe they own
 * the same WhatsApp session.
 */
import { ConflictError } from '../domain/errors.js';
import type {
  DesiredState,
  RejectCalls,
  Session,
  SessionError,
  SessionPairingCode,
  SessionQr,
  SessionRestriction,
  SessionStatus,
} from '../domain/session.js';
import type { Page, PageRequest } from './pagination.js';

/**
 * One session's part in `renewMany`: extended; `refused` (not ours, not wanted running, or gone: `renew` says
 * which); or its write failed (throttled, unreachable), which proves nothing either way.
 */
export type LeaseRenewal = 'renewed' | 'refused' | { readonly failed: Error };

/**
 * Thrown by `renew` (and owner-guarded writes) when this host no longer holds the lease: stop the socket at once.
 * A conflict by nature; should it ever reach the HTTP edge it maps to a 409, not a bare 500.
 */
export class LeaseLostError extends ConflictError {
  constructor(
    readonly sessionId: string,
    readonly hostId: string,
  ) {
    super(`lease on session ${sessionId} is no longer held by host ${hostId}`);
  }
}

export interface SessionDetailsPatch {
  readonly phone?: string | null;
  readonly pushName?: string | null;
  readonly lastError?: SessionError | null;
  readonly qr?: SessionQr | null;
  readonly pairingCode?: SessionPairingCode | null;
  readonly restriction?: SessionRestriction | null;
}

export interface SessionWriteGuard {
  /** When set, the write only happens while this host owns the lease; otherwise `LeaseLostError`. */
  readonly hostId?: string;
}

export interface SessionRepository {
  /**
   * Idempotent on id: the same session again (same tenant and name) returns the stored one; anything else under
   * that id is a `ConflictError`. The stored session starts unowned (`leaseUntil` 0) whatever the input says.
   */
  create(session: Session): Promise<Session>;
  /**
   * `create` within the tenant's session quota, atomically: the session is written and the session count on the
   * tenant's item raised in one transaction, which fails with `QuotaExceededError` when the count is already at
   * `maxSessions` (two creates racing for the last place: one wins). Idempotent like `create`: a retry of a
   * session already written returns it, counted once. Sessions written by plain `create` (fixtures, tooling)
   * are outside the count.
   */
  createWithinQuota(session: Session, maxSessions: number): Promise<Session>;
  /** A session of another tenant is `null`, exactly like a missing one. */
  get(tenantId: string, sessionId: string): Promise<Session | null>;
  /** Host side (no tenant at hand): the session by id alone. */
  getById(sessionId: string): Promise<Session | null>;
  listByTenant(tenantId: string, page?: PageRequest): Promise<Page<Session>>;
  /**
   * Follows the domain's status machine: a change it does not allow is a `ConflictError` (a same-status write
   * refreshes details). `NotFoundError` when missing.
   */
  updateStatus(
    sessionId: string,
    status: SessionStatus,
    details?: SessionDetailsPatch,
    guard?: SessionWriteGuard,
  ): Promise<Session>;
  /** `null` removes the field. `NotFoundError` when missing. */
  updateDetails(sessionId: string, details: SessionDetailsPatch, guard?: SessionWriteGuard): Promise<Session>;
  /** Tenant-scoped: another tenant's session is a `NotFoundError`. */
  setDesired(tenantId: string, sessionId: string, desired: DesiredState): Promise<Session>;
  /** Tenant-scoped like `setDesired`: the session's call settings (`PATCH /v1/sessions/{id}`). */
  setRejectCalls(tenantId: string, sessionId: string, rejectCalls: RejectCalls): Promise<Session>;
  /**
   * Tenant-scoped: another tenant's session is a `NotFoundError`. A session made by `createWithinQuota` gives its
   * place back in the same transaction. Messages and credentials are erased elsewhere.
   */
  delete(tenantId: string, sessionId: string): Promise<void>;

  /**
   * Takes the lease when the session is wanted running and is unowned, expired, or already ours.
   * Returns the claimed session, or `null` when another host holds a valid lease (or it is stopped/missing).
   * A claim by a new owner (from nobody, or from another host whose lease expired) raises `leaseEpoch` by one;
   * a re-claim by the current owner keeps it.
   */
  claim(sessionId: string, hostId: string, leaseMs: number, now: number): Promise<Session | null>;
  /** Extends our lease (epoch unchanged); `LeaseLostError` when another host took it (or the session is gone). */
  renew(sessionId: string, hostId: string, leaseMs: number, now: number): Promise<Session>;
  /**
   * Extends several of our leases at once, in as few calls as the store allows (no sessions come back): each is
   * renewed only while ours and wanted running. Every id gets an outcome; nothing throws.
   */
  renewMany(
    sessionIds: readonly string[],
    hostId: string,
    leaseMs: number,
    now: number,
  ): Promise<Map<string, LeaseRenewal>>;
  /** Gives the lease up (leaseUntil 0, no owner) only if ours; returns whether it was. */
  release(sessionId: string, hostId: string): Promise<boolean>;
  /** Sessions wanted running whose lease is unowned or expired, unowned and oldest expiry first. */
  findClaimable(now: number, limit: number): Promise<Session[]>;
  listByOwner(hostId: string): Promise<Session[]>;
}
