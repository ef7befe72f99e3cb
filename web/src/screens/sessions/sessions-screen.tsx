/** Sessions: live status, number, push name, last error, restriction; create, link, start, log out, delete. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { unwrap } from '../../api/client';
import { useSessionsQuery } from '../../api/queries';
import type { Session } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorText } from '../../ui/error-text';
import { StatusBadge } from '../../ui/status-badge';
import { Time } from '../../ui/time';
import { LinkPanel } from './link-panel';
import { RejectCallsSetting } from './reject-calls';

export default function SessionsScreen() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [linking, setLinking] = useState<string | null>(null);
  const sessions = useSessionsQuery();
  // The tenant's usage counts sessions: it changes with them.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.sessions() }),
      queryClient.invalidateQueries({ queryKey: queryKeys.tenant() }),
    ]);

  const create = useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST('/v1/sessions', { body: { name } })),
    onSuccess: async (created) => {
      await refresh();
      setLinking(created.id);
    },
  });
  const action = useMutation({
    mutationFn: async ({ id, verb }: { id: string; verb: 'start' | 'logout' | 'delete' }) => {
      const path = { params: { path: { sessionId: id } } };
      if (verb === 'start') unwrap(await api.POST('/v1/sessions/{sessionId}/start', path));
      else if (verb === 'logout') unwrap(await api.POST('/v1/sessions/{sessionId}/logout', path));
      else unwrap(await api.DELETE('/v1/sessions/{sessionId}', path));
    },
    onSettled: refresh,
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    create.mutate(name, { onSuccess: () => form.reset() });
  };

  const linkingSession = sessions.data?.find((s) => s.id === linking);
  return (
    <div className="screen">
      <h1>Sessions</h1>
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor="session-name">New session name</label>
        <input id="session-name" name="name" required maxLength={100} placeholder="Support line" />
        <button type="submit" disabled={create.isPending}>
          Create and link
        </button>
      </form>
      <ErrorText error={create.error ?? action.error ?? sessions.error} />
      {linkingSession && <LinkPanel session={linkingSession} onClose={() => setLinking(null)} />}
      {sessions.data?.length === 0 && <p>No sessions yet: create one and link a phone.</p>}
      <ul className="cards" aria-label="Sessions">
        {sessions.data?.map((s) => (
          <SessionCard
            key={s.id}
            session={s}
            busy={action.isPending}
            onLink={() => setLinking(s.id)}
            onAction={(verb) => action.mutate({ id: s.id, verb })}
          />
        ))}
      </ul>
    </div>
  );
}

function SessionCard(props: {
  session: Session;
  busy: boolean;
  onLink: () => void;
  onAction: (verb: 'start' | 'logout' | 'delete') => void;
}) {
  const s = props.session;
  const label = s.name ?? s.id;
  return (
    <li className="card" data-testid="session-card" data-session-id={s.id} data-status={s.status}>
      <div className="card-head">
        <h2>{label}</h2>
        <StatusBadge status={s.status} />
        {s.restriction?.active && (
          <span className="badge badge-restricted" title={s.restriction.type}>
            restricted{s.restriction.until ? ` until ${new Date(s.restriction.until).toLocaleString()}` : ''}
          </span>
        )}
      </div>
      <dl className="facts">
        <dt>Number</dt>
        <dd>{s.phone ?? '—'}</dd>
        <dt>Push name</dt>
        <dd>{s.pushName ?? '—'}</dd>
        <dt>Runs on</dt>
        <dd data-testid="runs-on">
          {s.runsOn ? (
            <>
              <code>{s.runsOn.hostId}</code>{' '}
              <span className="hint">
                (lease to <Time at={s.runsOn.leaseExpiresAt} />)
              </span>
            </>
          ) : (
            'no host'
          )}
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time at={s.updatedAt} />
        </dd>
        {s.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="error-text">
              {s.lastError.message} <code>{s.lastError.code}</code>
            </dd>
          </>
        )}
      </dl>
      <RejectCallsSetting session={s} />
      <div className="actions">
        {s.status !== 'connected' && (
          <button type="button" onClick={props.onLink}>
            Link
          </button>
        )}
        {s.status === 'connected' && <Link to={`/chats/${s.id}`}>Open chats</Link>}
        {s.desired === 'stopped' && (
          <button type="button" disabled={props.busy} onClick={() => props.onAction('start')}>
            Start
          </button>
        )}
        {s.status === 'connected' && (
          <ConfirmButton
            label="Log out"
            question={`Unlink ${label} from WhatsApp?`}
            disabled={props.busy}
            onConfirm={() => props.onAction('logout')}
          />
        )}
        <ConfirmButton
          label="Delete"
          question={`Delete ${label} and its history?`}
          disabled={props.busy}
          onConfirm={() => props.onAction('delete')}
        />
      </div>
    </li>
  );
}
