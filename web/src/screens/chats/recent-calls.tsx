/**
 * The chosen session's incoming calls since the console opened, newest first, from the `call.received` frames of
 * the live room. Calls are not stored (there is no calls API), so a list of the live feed is what the console
 * can show: a caller need not have a chat yet, which is why they are a list beside the chats rather than lines of
 * a thread. A caller known by number links to its chat.
 */
import { Link } from 'react-router';
import type { WsEventFrame } from '../../../../shared/contracts/ws-frames';
import { useEventFeed } from '../../live/live-events';
import { Time } from '../../ui/time';

type CallFrame = Extract<WsEventFrame, { type: 'call.received' }>;

export function RecentCalls(props: { sessionId: string }) {
  const feed = useEventFeed();
  const calls = feed.filter(
    (e): e is CallFrame => e.type === 'call.received' && e.sessionId === props.sessionId,
  );
  if (calls.length === 0) return null;
  return (
    <section className="recent-calls" aria-label="Calls">
      <h2>Calls</h2>
      <ul data-testid="calls">
        {calls.map((e) => (
          <CallRow key={e.id} sessionId={props.sessionId} call={e.data} />
        ))}
      </ul>
    </section>
  );
}

function CallRow(props: { sessionId: string; call: CallFrame['data'] }) {
  const c = props.call;
  const caller = c.from.phone ?? (c.from.lid ? `LID ${c.from.lid}` : 'unknown caller');
  const chat = c.from.phone ?? (c.from.lid ? `lid:${c.from.lid}` : undefined);
  const kind = `${c.group ? 'Group ' : ''}${c.video ? 'video' : 'voice'} call`;
  return (
    <li
      data-testid="call"
      data-call-id={c.callId}
      data-from={c.from.phone ?? c.from.lid}
      data-rejected={c.rejected}
      data-replied={c.replied}
    >
      <span className="call-kind">
        {c.rejected ? `Rejected ${kind.toLowerCase()}` : `Missed ${kind.toLowerCase()}`}
      </span>{' '}
      from{' '}
      {chat ? <Link to={`/chats/${props.sessionId}/${encodeURIComponent(chat)}`}>{caller}</Link> : caller}{' '}
      <Time at={c.at} />
      {c.replied && <span className="hint"> · reply sent</span>}
    </li>
  );
}
