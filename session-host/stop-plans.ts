/**
 * How a session's runner ends (docs/session-host.md, "How a session stops"): what is written, whether the
 * credentials are flushed or erased, whether `desired` turns `stopped` (terminal: no host retries it) and
 * whether the lease is released. One builder per outcome, so the table in the docs maps to code line by line.
 */
import type { SessionStatus } from '../shared/domain/session.js';
import type { SessionDetailsPatch } from '../shared/ports/session-repository.js';

export interface StopPlan {
  /** Write credentials first (graceful). Never after a lost lease: what we hold may be stale. */
  readonly flush: boolean;
  /** Written (guarded) before the release. */
  readonly status?: { status: SessionStatus; details?: SessionDetailsPatch; reason?: string };
  /** Terminal outcome: no host should pick the session up again until the tenant asks. */
  readonly stopDesired?: boolean;
  readonly eraseCredentials?: boolean;
  /** Give the lease up (false only when it is already lost). */
  readonly release: boolean;
  readonly why: string;
}

const at = () => new Date().toISOString();

/** Host SIGTERM: flush, close without logout, release; the next owner writes `starting`. */
export const SHUTDOWN: StopPlan = { flush: true, release: true, why: 'host shutdown' };

/** Another host owns the session now: close at once, write nothing, release nothing. */
export const LEASE_LOST: StopPlan = { flush: false, release: false, why: 'lease lost' };

/** A transient failure while starting: give the session back; a later claim round (any host) retries. */
export function retryLater(where: string): StopPlan {
  return { flush: false, release: true, why: `error in ${where}` };
}

/** The tenant set `desired = stopped`: flush, close without logout, `disconnected`, release. */
export function tenantStop(): StopPlan {
  return {
    flush: true,
    status: {
      status: 'disconnected',
      details: { qr: null, pairingCode: null },
      reason: 'stopped by the tenant',
    },
    release: true,
    why: 'desired stopped',
  };
}

/** Unlinked (phone, WhatsApp, or our own logout): credentials erased, `logged_out`, never retried. */
export function loggedOut(message: string, why: string): StopPlan {
  return {
    flush: false,
    eraseCredentials: true,
    status: {
      status: 'logged_out',
      details: { qr: null, pairingCode: null, lastError: { code: 'logged_out', message, at: at() } },
      reason: message,
    },
    stopDesired: true,
    release: true,
    why,
  };
}

/** Another client logged in as this device: stop and report, never fight over it. */
export function replaced(): StopPlan {
  return {
    flush: false,
    status: {
      status: 'disconnected',
      details: {
        lastError: {
          code: 'connection_replaced',
          message: 'another client connected as this device; stopped instead of fighting over it',
          at: at(),
        },
      },
      reason: 'connection replaced',
    },
    stopDesired: true,
    release: true,
    why: 'connection replaced',
  };
}

/** Retrying cannot help (unreadable credentials, banned, bad session): `failed` with a stable code. */
export function failed(code: string, message: string): StopPlan {
  return {
    flush: false,
    status: {
      status: 'failed',
      details: { qr: null, lastError: { code, message, at: at() } },
      reason: message,
    },
    stopDesired: true,
    release: true,
    why: code,
  };
}

/** Nobody linked in time. */
export function qrExpired(): StopPlan {
  return {
    flush: false,
    status: {
      status: 'qr_expired',
      details: { qr: null, pairingCode: null },
      reason: 'QR not scanned in time',
    },
    stopDesired: true,
    release: true,
    why: 'qr expired',
  };
}
