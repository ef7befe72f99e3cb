/**
 * "Send as": a message goes out from one session, or through a number pool (docs/pools.md), which picks the
 * member (the contact's number if it has one, else the healthiest). The pool's answer names that member, so the
 * console says which number sent it and links to that number's chat with the contact.
 */
import { Link } from 'react-router';
import { unwrap, type ApiClient } from '../../api/client';
import type { Pool, SendMessageBody, Session } from '../../api/types';

/** Where a send goes: `session:<id>` or `pool:<id>` (one select's value). */
export type SendAs = `session:${string}` | `pool:${string}`;

export interface SentVia {
  readonly messageId: string;
  /** The session whose history holds the message: the one chosen, or the member the pool routed to. */
  readonly sessionId: string;
  readonly poolId?: string;
  readonly to: string;
}

/** Sends through the chosen session or pool; answers where the message went. */
export async function sendAs(api: ApiClient, target: SendAs, body: SendMessageBody): Promise<SentVia> {
  const [kind, id] = splitTarget(target);
  if (kind === 'pool') {
    const sent = unwrap(
      await api.POST('/v1/pools/{poolId}/messages', { params: { path: { poolId: id } }, body }),
    );
    return { messageId: sent.id, sessionId: sent.sessionId, poolId: sent.poolId, to: body.to };
  }
  const sent = unwrap(
    await api.POST('/v1/sessions/{sessionId}/messages', { params: { path: { sessionId: id } }, body }),
  );
  return { messageId: sent.id, sessionId: id, to: body.to };
}

function splitTarget(target: SendAs): ['session' | 'pool', string] {
  const at = target.indexOf(':');
  return [target.slice(0, at) as 'session' | 'pool', target.slice(at + 1)];
}

/** The console's path of a session's chat with a number (the chats screen opens it). */
export function chatPath(sessionId: string, to: string): string {
  return `/chats/${sessionId}/${encodeURIComponent(to)}`;
}

/** The select: the tenant's sessions, then its pools. */
export function SendAsSelect(props: {
  id: string;
  label: string;
  value: SendAs;
  sessions: readonly Pick<Session, 'id' | 'name' | 'phone'>[];
  pools: readonly Pool[];
  onChange: (value: SendAs) => void;
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value as SendAs)}
      >
        <optgroup label="Sessions">
          {props.sessions.map((s) => (
            <option key={s.id} value={`session:${s.id}`}>
              {sessionLabel(s)}
            </option>
          ))}
        </optgroup>
        {props.pools.length > 0 && (
          <optgroup label="Number pools">
            {props.pools.map((p) => (
              <option key={p.id} value={`pool:${p.id}`}>
                Pool: {p.name}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </>
  );
}

export function sessionLabel(s: Pick<Session, 'id' | 'name' | 'phone'>): string {
  return `${s.name ?? s.id}${s.phone ? ` (${s.phone})` : ''}`;
}

/** After a pool send: which member sent it, with a link to that member's chat with the contact. */
export function SentViaNote(props: {
  sent: SentVia;
  sessions: readonly Session[];
  pools: readonly Pool[];
  /** The chat already shown (no link to it). */
  shownSessionId?: string;
}) {
  const { sent } = props;
  if (!sent.poolId) return null;
  const member = props.sessions.find((s) => s.id === sent.sessionId);
  const pool = props.pools.find((p) => p.id === sent.poolId);
  return (
    <p role="status" className="hint" data-testid="sent-via" data-session-id={sent.sessionId}>
      Sent through pool {pool?.name ?? sent.poolId} on{' '}
      <strong>{member ? sessionLabel(member) : sent.sessionId}</strong>
      {sent.sessionId !== props.shownSessionId && (
        <>
          {' '}
          · <Link to={chatPath(sent.sessionId, sent.to)}>Open that chat</Link>
        </>
      )}
    </p>
  );
}
