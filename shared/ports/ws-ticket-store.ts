/**
 * Single-use browser tickets for the pairing WebSocket: `POST /v1/sessions/{id}/ws-tickets` issues one,
 * `$connect` redeems it (`WsTicketVerifier`). Only the ticket's hash is stored, with a short expiry, so a leaked
 * table row cannot be turned into a connection and an unused ticket dies on its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WsTicketGrant, WsTicketVerifier } from './ws-ticket-verifier.js';

export const WS_TICKET_PREFIX = 'wst_';
/** A ticket is meant to be used at once by the page that asked for it. */
export const WS_TICKET_TTL_SECONDS = 60;
/** `wst_` + 43 base64url characters (32 random bytes); anything else is refused without a lookup. */
export const WS_TICKET_PATTERN = /^wst_[A-Za-z0-9_-]{43}$/;

export interface IssuedWsTicket {
  /** Shown once; never stored. */
  readonly ticket: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export interface WsTicketStore extends WsTicketVerifier {
  issue(grant: WsTicketGrant, options?: { ttlSeconds?: number; now?: number }): Promise<IssuedWsTicket>;
}

export function generateWsTicket(): string {
  return WS_TICKET_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 hex: 256 random bits need no salt or slow hash, and the hash must be a lookup key. */
export function hashWsTicket(ticket: string): string {
  return createHash('sha256').update(ticket, 'utf8').digest('hex');
}
