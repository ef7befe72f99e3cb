/**
 * Validates the single-use ticket a browser presents on `$connect` (`wss://...?ticket=...`), issued by
 * `POST /v1/sessions/{id}/ws-tickets` (bound to that session) or `POST /v1/ws-tickets` (tenant-wide). A handler
 * built without one (`functions/ws/connect.ts`) refuses every connection.
 */

export interface WsTicketGrant {
  readonly tenantId: string;
  /** Absent: a tenant-wide ticket (`POST /v1/ws-tickets`), every session of the tenant. */
  readonly sessionId?: string;
}

export interface WsTicketVerifier {
  /**
   * Consumes the ticket (a second use fails) and returns what it grants, or `null` when it is unknown, expired
   * or already used. Never throws for a bad ticket: only for infrastructure failures.
   */
  redeem(ticket: string): Promise<WsTicketGrant | null>;
}
