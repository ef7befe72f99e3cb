/**
 * Host request/reply, the API side (docs/credentials-and-commands.md, "Host requests"): rings the session's
 * owner host with a `host.request` command under a fresh request id, then polls the `hostReplies` table for
 * that id until a bounded deadline. The outcomes a caller sees:
 * - the session is not connected (status, no owner, or the host says so): 409 `session-not-connected`;
 * - no reply by the deadline (the host is slow, or died with the request in hand): 504 `host-timeout`;
 * - WhatsApp refused: 502 `whatsapp-error`; otherwise the result, checked against the kind's schema.
 *
 * Every request has its own id, so a reply that arrives after its waiter gave up is read by nobody (it expires
 * with its TTL) and can never be taken for the answer to a later request.
 */
import type { HostCommand } from '../contracts/host-command.js';
import {
  HOST_RESULT_SCHEMAS,
  type HostRequestKind,
  type HostRequestOf,
  type HostResultOf,
} from '../contracts/host-request.js';
import { InternalError } from '../domain/errors.js';
import { newId, nowIso } from '../domain/ids.js';
import type { Session } from '../domain/session.js';
import type { HostReplyStore } from '../ports/host-reply-store.js';
import {
  HostTimeoutError,
  ServiceUnavailableError,
  SessionNotConnectedError,
  WhatsAppRequestError,
} from './errors.js';
import type { HostDoorbell } from './host-doorbell.js';

/** How often the waiting API reads the reply (a strongly consistent GetItem each time). */
const POLL_INTERVAL_MS = 100;

export interface HostRequestDeps {
  readonly doorbell: Pick<HostDoorbell, 'ring'>;
  readonly hostReplies: Pick<HostReplyStore, 'get'>;
  /** How long a request waits for its reply before 504 (bounded by API Gateway's 30 s). */
  readonly hostRequestWaitMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export async function askHost<K extends HostRequestKind>(
  deps: HostRequestDeps,
  session: Pick<Session, 'id' | 'tenantId' | 'owner' | 'status'>,
  request: HostRequestOf<K>,
): Promise<HostResultOf<K>> {
  if (session.status !== 'connected') {
    throw new SessionNotConnectedError(
      `Session ${session.id} is ${session.status}, not connected to WhatsApp`,
    );
  }
  const requestId = newId(deps.now());
  const deadline = deps.now() + deps.hostRequestWaitMs;
  const command: HostCommand = {
    type: 'host.request',
    tenantId: session.tenantId,
    sessionId: session.id,
    sentAt: nowIso(new Date(deps.now())),
    requestId,
    deadline: nowIso(new Date(deadline)),
    request,
  };
  const outcome = await deps.doorbell.ring(session, command);
  if (outcome === 'no-owner' || outcome === 'host-gone') {
    throw new SessionNotConnectedError(
      `No session host runs session ${session.id} right now; retry in a few seconds`,
    );
  }
  if (outcome === 'failed')
    throw new ServiceUnavailableError('Could not reach the session host; retry shortly');

  while (deps.now() < deadline) {
    await deps.sleep(POLL_INTERVAL_MS);
    const reply = await deps.hostReplies.get(requestId);
    if (!reply) continue;
    if (!reply.ok) {
      if (reply.error.code === 'session-not-connected')
        throw new SessionNotConnectedError(reply.error.message);
      throw new WhatsAppRequestError(reply.error.message, reply.error.waCode);
    }
    const parsed = HOST_RESULT_SCHEMAS[request.kind].safeParse(reply.result);
    if (!parsed.success) throw new InternalError({ cause: parsed.error });
    return parsed.data as HostResultOf<K>;
  }
  throw new HostTimeoutError(
    `The session host did not answer within ${Math.round(deps.hostRequestWaitMs / 1000)} s; retry`,
  );
}
