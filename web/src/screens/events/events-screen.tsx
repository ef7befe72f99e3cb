/** The tenant's last events as they happen (the real-time room), newest first, each expandable to its JSON. */
import { useState } from 'react';
import { useEventFeed, useLiveState } from '../../live/live-events';
import { Time } from '../../ui/time';

export default function EventsScreen() {
  const events = useEventFeed();
  const live = useLiveState();
  const [type, setType] = useState('');
  const shown = type ? events.filter((e) => e.type === type) : events;
  const types = [...new Set(events.map((e) => e.type))].sort();
  return (
    <div className="screen">
      <h1>Live events</h1>
      <p className="hint">
        Events of every session of this tenant, pushed over the WebSocket as they happen ({live}). The same
        events go to webhooks and the event bus.
      </p>
      <label htmlFor="event-type">Type</label>
      <select id="event-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
        <option value="">All</option>
        {types.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
      {shown.length === 0 && <p className="hint">No events since this page opened.</p>}
      <ol className="feed" data-testid="event-feed" aria-live="polite">
        {shown.map((e) => (
          <li key={e.id} data-testid="event" data-type={e.type}>
            <details>
              <summary>
                <Time at={e.createdAt} /> <strong>{e.type}</strong> <code>{e.sessionId}</code>
              </summary>
              <pre>{JSON.stringify(e, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}
