/**
 * Single-use, short-lived tickets for the browser WebSocket. `POST /v1/sessions/{sessionId}/ws-tickets` binds one
 * to the caller's tenant and this session (another tenant's session is a 404, like a missing one);
 * `POST /v1/ws-tickets` to the caller's tenant only (a tenant-wide socket).
 */
import { NotFoundError } from '../domain/errors.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { IssuedWsTicket, WsTicketStore } from '../ports/ws-ticket-store.js';

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
  return toView(deps, await deps.tickets.issue({ tenantId, sessionId }));
}

/**
 * `POST /v1/ws-tickets`: a ticket for a tenant-wide socket (the console), which receives the events of every
 * session of the caller's tenant. The tenant is the caller's own (the route's tenant guard checked it is active).
 */
export async function issueTenantWsTicket(
  deps: Omit<IssueWsTicketDeps, 'sessions'>,
  tenantId: string,
): Promise<WsTicketView> {
  return toView(deps, await deps.tickets.issue({ tenantId }));
}

function toView(deps: Pick<IssueWsTicketDeps, 'wsUrl'>, issued: IssuedWsTicket): WsTicketView {
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
