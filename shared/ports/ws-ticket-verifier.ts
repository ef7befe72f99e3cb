/**
 * Validates the single-use ticket a browser presents on `$connect` (`wss://...?ticket=...`), issued by
 * `POST /v1/sessions/{id}/ws-tickets`. Issuance and the DynamoDB-backed implementation arrive with the browser
 * pairing issue; until one is wired into `functions/ws/connect.ts`, every connection is refused.
 */

export interface WsTicketGrant {
  readonly tenantId: string;
  readonly sessionId: string;
}

export interface WsTicketVerifier {
  /**
   * Consumes the ticket (a second use fails) and returns what it grants, or `null` when it is unknown, expired
   * or already used. Never throws for a bad ticket: only for infrastructure failures.
   */
  redeem(ticket: string): Promise<WsTicketGrant | null>;
}
