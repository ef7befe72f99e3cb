/**
 * Session use cases: create (within the tenant's quota), read, QR, pairing code, logout and delete. The API
 * writes the truth to DynamoDB; the host that owns a session is rung to act on it, and a session nobody owns yet
 * is claimed by a host on its own (`findClaimable`), so creating a session needs no doorbell.
 */
import { ConflictError, NotFoundError, QuotaExceededError } from '../domain/errors.js';
import { newId, nowIso } from '../domain/ids.js';
import { mediaObjectKey } from '../domain/media.js';
import {
  isActiveStatus,
  toSessionView,
  type CreateSessionRequest,
  type Session,
  type SessionView,
} from '../domain/session.js';
import type { Tenant } from '../domain/tenant.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { ControlPlaneDeps } from './deps.js';
import { HostTimeoutError, ServiceUnavailableError } from './errors.js';
import { mapPage, type PairingCodeView, type QrView } from './views.js';

type Deps = ControlPlaneDeps;
/** What the use cases that only touch session items need. */
type SessionsOnly = { readonly repos: Pick<Deps['repos'], 'sessions'> };

const POLL_INTERVAL_MS = 250;

/** A tenant's session, or 404 (another tenant's session is indistinguishable from a missing one). */
export async function loadSession(deps: SessionsOnly, tenantId: string, sessionId: string): Promise<Session> {
  const session = await deps.repos.sessions.get(tenantId, sessionId);
  if (!session) throw new NotFoundError(`No session ${sessionId}`);
  return session;
}

/**
 * Creates a session within the tenant's `maxSessions`, kept by a count on the tenant's item that goes up in the
 * same transaction as the session is written (and down with its delete), so creates racing for the last place
 * cannot both win.
 */
export async function createSession(
  deps: Pick<Deps, 'repos' | 'now'>,
  tenant: Tenant,
  request: CreateSessionRequest,
): Promise<SessionView> {
  const max = tenant.limits.maxSessions;
  const at = nowIso(new Date(deps.now()));
  try {
    const session = await deps.repos.sessions.createWithinQuota(
      {
        id: newId(deps.now()),
        tenantId: tenant.id,
        ...(request.name === undefined ? {} : { name: request.name }),
        desired: 'running',
        status: 'starting',
        leaseUntil: 0,
        createdAt: at,
        updatedAt: at,
      },
      max,
    );
    return toSessionView(session);
  } catch (error) {
    if (!(error instanceof QuotaExceededError)) throw error;
    throw new QuotaExceededError(
      `This tenant may have at most ${max} session(s); delete one or ask for a higher limit`,
    );
  }
}

export async function listSessions(
  deps: Pick<Deps, 'repos'>,
  tenantId: string,
  page: PageRequest,
): Promise<Page<SessionView>> {
  return mapPage(await deps.repos.sessions.listByTenant(tenantId, page), (s) => toSessionView(s));
}

export async function getSession(
  deps: Pick<Deps, 'repos'>,
  tenantId: string,
  sessionId: string,
): Promise<SessionView> {
  return toSessionView(await loadSession(deps, tenantId, sessionId));
}

/** The QR the host wrote on the session item; 409 unless the session is waiting for a scan right now. */
export async function getQr(
  deps: Pick<Deps, 'repos' | 'now'>,
  tenantId: string,
  sessionId: string,
): Promise<QrView> {
  const session = await loadSession(deps, tenantId, sessionId);
  const qr = session.qr;
  if (session.status !== 'qr' || qr === undefined) {
    throw new ConflictError(
      `Session ${sessionId} is ${session.status}, not waiting for a QR scan` +
        (session.status === 'starting' ? '; retry in a few seconds' : ''),
    );
  }
  if (Date.parse(qr.expiresAt) <= deps.now()) {
    throw new ConflictError(
      `The QR of session ${sessionId} expired; the next one is on its way, retry shortly`,
    );
  }
  return { qr: qr.code, refresh: qr.refresh, expiresAt: qr.expiresAt };
}

/**
 * Asks the owner host for a phone-number pairing code and waits for it to appear on the session item, matched
 * by a fresh request id (an older code for another request is never returned).
 */
export async function requestPairingCode(
  deps: SessionsOnly & Pick<Deps, 'doorbell' | 'now' | 'sleep' | 'pairingWaitMs'>,
  tenantId: string,
  sessionId: string,
  phone: string,
): Promise<PairingCodeView> {
  const session = await loadSession(deps, tenantId, sessionId);
  if (session.status === 'connected') {
    throw new ConflictError(`Session ${sessionId} is already linked to a phone`);
  }
  if (session.desired !== 'running') {
    throw new ConflictError(`Session ${sessionId} is stopped (${session.status}); it cannot pair`);
  }
  // One outstanding code per session: WhatsApp serves one code request per companion at a time, and the host
  // stops showing QRs while a code is being typed. The same phone gets the code in force back; another phone
  // is told at once (a host would never answer it, and the caller would wait for a timeout).
  const outstanding = session.status === 'pairing' ? session.pairingCode : undefined;
  if (outstanding && Date.parse(outstanding.expiresAt) > deps.now()) {
    if (outstanding.phone === phone) {
      return { code: outstanding.code, phone: outstanding.phone, expiresAt: outstanding.expiresAt };
    }
    throw new ConflictError(
      `Session ${sessionId} is waiting for the pairing code of ${outstanding.phone} until ${outstanding.expiresAt}; ` +
        'wait for it to expire, or log the session out to start over',
    );
  }
  const requestId = newId(deps.now());
  const outcome = await deps.doorbell.ring(session, {
    type: 'session.pairing-code',
    tenantId,
    sessionId,
    phone,
    requestId,
    sentAt: nowIso(new Date(deps.now())),
  });
  if (outcome === 'no-owner' || outcome === 'host-gone') {
    throw new ConflictError(`No session host has picked up session ${sessionId} yet; retry in a few seconds`);
  }
  if (outcome === 'failed')
    throw new ServiceUnavailableError('Could not reach the session host; retry shortly');

  const deadline = deps.now() + deps.pairingWaitMs;
  while (deps.now() < deadline) {
    await deps.sleep(POLL_INTERVAL_MS);
    const current = await deps.repos.sessions.getById(sessionId);
    if (!current || current.tenantId !== tenantId) throw new NotFoundError(`No session ${sessionId}`);
    const code = current.pairingCode;
    if (code && code.requestId === requestId) {
      return { code: code.code, phone: code.phone, expiresAt: code.expiresAt };
    }
    // WhatsApp refused the request (e.g. `pairing_code_rejected`, `pairing_requires_passkey`): say why now.
    const refusal = current.lastError;
    if (refusal?.requestId === requestId) {
      throw new ConflictError(`No pairing code (${refusal.code}): ${refusal.message}`);
    }
  }
  throw new HostTimeoutError(
    `The session host did not produce a pairing code within ${Math.round(deps.pairingWaitMs / 1000)} s; retry`,
  );
}

export interface LogoutResult {
  /** `true` when the owner host was asked to unlink (it reports `logged_out` itself); `false` when done here. */
  readonly accepted: boolean;
  readonly session: SessionView;
}

/**
 * Starts a stopped session again (after `qr_expired`, `disconnected`, `logged_out` or `failed`) under the same
 * id, so webhooks filtered by session and the history stay. It is set `desired: running, status: starting` and
 * a session host claims it on its own: with credentials it reconnects, without (logged out) it shows a new QR.
 * A session already wanted running is answered as it is (`started: false`): starting twice is harmless.
 */
export async function startSession(
  deps: SessionsOnly,
  tenantId: string,
  sessionId: string,
): Promise<{ started: boolean; session: SessionView }> {
  const session = await loadSession(deps, tenantId, sessionId);
  if (session.desired === 'running') return { started: false, session: toSessionView(session) };
  await deps.repos.sessions.setDesired(tenantId, sessionId, 'running');
  // The domain allows starting from every stopped status; an active one means a host is still on it.
  const current = await deps.repos.sessions.getById(sessionId);
  if (!current) throw new NotFoundError(`No session ${sessionId}`);
  if (isActiveStatus(current.status)) {
    return { started: true, session: toSessionView(current) };
  }
  const started = await deps.repos.sessions.updateStatus(sessionId, 'starting', {
    qr: null,
    pairingCode: null,
    lastError: null,
  });
  return { started: true, session: toSessionView(started) };
}

/**
 * Unlinks the device. With a live owner host, the host does it (it must talk to WhatsApp) and then reports
 * `logged_out`, erases the credentials and sets the session stopped. Without one, nothing is connected: the
 * session is stopped, marked `logged_out` and its credentials erased here.
 */
export async function logoutSession(deps: Deps, tenantId: string, sessionId: string): Promise<LogoutResult> {
  const session = await loadSession(deps, tenantId, sessionId);
  const outcome = await deps.doorbell.ring(session, {
    type: 'session.logout',
    tenantId,
    sessionId,
    sentAt: nowIso(new Date(deps.now())),
  });
  if (outcome === 'rung') return { accepted: true, session: toSessionView(session) };
  if (outcome === 'failed')
    throw new ServiceUnavailableError('Could not reach the session host; retry shortly');

  await deps.repos.sessions.setDesired(tenantId, sessionId, 'stopped');
  const updated = await deps.repos.sessions.updateStatus(sessionId, 'logged_out', {
    qr: null,
    pairingCode: null,
    phone: null,
  });
  await deps.credentials.erase(sessionId);
  return { accepted: false, session: toSessionView(updated) };
}

/**
 * Deletes the session and everything kept for it. The session is set stopped first (no host claims it again),
 * the owner is rung to stop and given a moment to let go (it flushes credentials on the way out, which must
 * happen before the erase, not after); then messages (with the incoming files they name), chats, credentials
 * and the session item go.
 */
/**
 * What a deletion does besides erasing: `beforeErase` runs once the session is stopped (its host released it, or
 * the wait ran out) and before its messages go, so messages it still holds for others can leave it first (a pool
 * member's queued pool messages, docs/pools.md).
 */
export interface DeleteSessionOptions {
  readonly beforeErase?: () => Promise<void>;
}

export async function deleteSession(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  options: DeleteSessionOptions = {},
): Promise<void> {
  let session = await loadSession(deps, tenantId, sessionId);
  if (session.desired !== 'stopped') {
    session = await deps.repos.sessions.setDesired(tenantId, sessionId, 'stopped');
  }
  const outcome = await deps.doorbell.ring(session, {
    type: 'session.stop',
    tenantId,
    sessionId,
    sentAt: nowIso(new Date(deps.now())),
  });
  if (outcome === 'rung') {
    const deadline = deps.now() + deps.releaseWaitMs;
    while (deps.now() < deadline) {
      await deps.sleep(POLL_INTERVAL_MS);
      const current = await deps.repos.sessions.getById(sessionId);
      if (!current || current.owner === undefined || (current.leaseUntil ?? 0) < deps.now()) break;
    }
  }
  await options.beforeErase?.();
  // Incoming files belong to the session's messages (uploads are the tenant's and stay until they expire).
  await deps.records.erase(sessionId, {
    beforeDelete: async (mediaIds) => {
      await Promise.all(mediaIds.map((id) => deps.media.delete(mediaObjectKey(tenantId, id))));
    },
  });
  await deps.credentials.erase(sessionId);
  await deps.repos.sessions.delete(tenantId, sessionId);
}
