/**
 * What to do when WhatsApp closes a session's socket (docs/session-host.md, "Reconnect policy"). The table is
 * the product's answer to the two complaints users have about Baileys servers: reconnect loops (retrying what can
 * never work: a logged-out or replaced device) and sessions that silently stay dead (not retrying what will).
 */
import { DisconnectReason } from '@whiskeysockets/baileys';

export type CloseAction =
  /** Pairing finished or the server asked for a restart: reconnect at once with the same creds. */
  | { readonly kind: 'restart' }
  /** Network or server trouble: reconnect after a backoff with jitter, for as long as we hold the lease. */
  | { readonly kind: 'retry' }
  /** The device was unlinked (phone, logout, creds refused): erase credentials, never retry. */
  | { readonly kind: 'logged_out' }
  /** Another client logged in with the same device: stop and report, never fight over it. */
  | { readonly kind: 'replaced' }
  /** Nobody scanned the QR before WhatsApp ran out of refs. */
  | { readonly kind: 'qr_expired' }
  /** Retrying cannot help (banned, bad session state): status `failed` with this code. */
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export function closeAction(statusCode: number | undefined, linked: boolean): CloseAction {
  switch (statusCode) {
    case DisconnectReason.restartRequired:
      return { kind: 'restart' };
    case DisconnectReason.loggedOut:
      return { kind: 'logged_out' };
    case DisconnectReason.connectionReplaced:
      return { kind: 'replaced' };
    case DisconnectReason.timedOut: // also connectionLost: same code, told apart by whether we are linked
      return linked ? { kind: 'retry' } : { kind: 'qr_expired' };
    case DisconnectReason.forbidden:
      return { kind: 'failed', code: 'forbidden', message: 'WhatsApp refused this account (403)' };
    case DisconnectReason.multideviceMismatch:
      return {
        kind: 'failed',
        code: 'multidevice_mismatch',
        message: 'WhatsApp reported a multi-device mismatch (411); log out and link again',
      };
    case DisconnectReason.badSession:
      return {
        kind: 'failed',
        code: 'bad_session',
        message: 'the session state is unusable (500); log out and link again',
      };
    default:
      // 428 closed, 503 unavailable, socket errors (no code): transient.
      return { kind: 'retry' };
  }
}

/** Full jitter: uniform in [0, min(max, base * 2^attempt)], so a fleet of sessions does not reconnect in step. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
