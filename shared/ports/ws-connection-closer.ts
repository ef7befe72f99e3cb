/**
 * Closes the browser WebSocket connections watching a session, e.g. when its tenant is suspended: without it a
 * suspended tenant's open sockets would keep receiving frames until API Gateway's two-hour limit.
 */
export interface WsConnectionCloser {
  /** Closes (and forgets) every live connection of the session; returns how many were closed. */
  closeSession(sessionId: string): Promise<number>;
  /** Closes (and forgets) every live connection of the tenant, tenant-wide and session ones; returns how many. */
  closeTenant(tenantId: string): Promise<number>;
}
