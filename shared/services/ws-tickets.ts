/**
 * `POST /v1/sessions/{sessionId}/ws-tickets`: a single-use, short-lived ticket for the pairing WebSocket, bound
 * to the caller's tenant and this session. Another tenant's session is a 404, like a missing one.
 */
import { NotFoundError } from '../domain/errors.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { WsTicketStore } from '../ports/ws-ticket-store.js';

export interface IssueWsTicketDeps {
  readonly sessions: Pick<SessionRepository, 'get'>;
  readonly tickets: Pick<WsTicketStore, 'issue'>;
  /** `wss://` URL of the WebSocket API (without the ticket); absent when unknown. */
  readonly wsUrl?: string;
}

export interface WsTicketView {
  readonly ticket: string;
  readonly expiresAt: string;
  /** Ready to open: the WebSocket URL with `?ticket=`. */
  readonly url?: string;
}

export async function issueWsTicket(
  deps: IssueWsTicketDeps,
  tenantId: string,
  sessionId: string,
): Promise<WsTicketView> {
  const session = await deps.sessions.get(tenantId, sessionId);
  if (!session) throw new NotFoundError(`session ${sessionId} not found`);
  const issued = await deps.tickets.issue({ tenantId, sessionId });
  const view: WsTicketView = {
    ticket: issued.ticket,
    expiresAt: new Date(issued.expiresAt * 1000).toISOString(),
  };
  if (!deps.wsUrl) return view;
  const url = new URL(deps.wsUrl);
  url.searchParams.set('ticket', issued.ticket);
  return { ...view, url: url.toString() };
}

/**
 * The browser URL from the `@connections` callback URL: API Gateway serves both on the same host and stage
 * (`https://{api}.execute-api.{region}.amazonaws.com/{stage}` -> `wss://...` with the same path).
 */
export function webSocketUrlFromCallback(callbackUrl: string | undefined): string | undefined {
  if (!callbackUrl) return undefined;
  const url = URL.parse(callbackUrl);
  if (!url) return undefined;
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  return url.toString();
}
