/**
 * Number pools (docs/pools.md): create a pool from the tenant's sessions, see each member's health and stats and
 * the routing policy, and send through the pool (the answer names the member that got the contact).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { unwrap } from '../../api/client';
import { usePoolsQuery, useSessionsQuery } from '../../api/queries';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';
import { chatPath } from '../chats/send-as';

/** The member's recent restricted periods, for the Restricted cell's tooltip. */
function restrictedTitle(periods: readonly { since: string; until?: string; type: string }[]): string {
  if (periods.length === 0) return 'never restricted in this pool';
  return periods.map((p) => `${p.type}: ${p.since} → ${p.until ?? 'now'}`).join('\n');
}

export default function PoolsScreen() {
  const api = useApi();
  const queryClient = useQueryClient();
  const sessions = useSessionsQuery();
  const [selected, setSelected] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<{ to: string; sessionId: string } | null>(null);
  const pools = usePoolsQuery();
  const poolId = selected ?? pools.data?.[0]?.id ?? null;
  const pool = useQuery({
    queryKey: queryKeys.pool(poolId ?? ''),
    enabled: poolId !== null,
    queryFn: async () =>
      unwrap(await api.GET('/v1/pools/{poolId}', { params: { path: { poolId: poolId! } } })),
  });
  const create = useMutation({
    mutationFn: async (body: { name: string; members: { sessionId: string; dailyCap?: number }[] }) =>
      unwrap(await api.POST('/v1/pools', { body })),
    onSuccess: async (created) => {
      setSelected(created.id);
      await queryClient.invalidateQueries({ queryKey: queryKeys.pools() });
    },
  });
  const send = useMutation({
    mutationFn: async ({ to, text }: { to: string; text: string }) =>
      unwrap(
        await api.POST('/v1/pools/{poolId}/messages', {
          params: { path: { poolId: poolId! } },
          body: { to, type: 'text', text: { body: text } },
        }),
      ),
    onSuccess: async (sent, { to }) => {
      setSentTo({ to, sessionId: sent.sessionId });
      await queryClient.invalidateQueries({ queryKey: queryKeys.pool(poolId ?? '') });
    },
  });
  const nameOf = (sessionId: string) => sessions.data?.find((s) => s.id === sessionId)?.name ?? sessionId;

  const submitPool = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const cap = Number(data.get('dailyCap'));
    const members = data.getAll('members').map((id) => ({
      sessionId: String(id),
      ...(cap > 0 ? { dailyCap: cap } : {}),
    }));
    create.mutate({ name: String(data.get('name') ?? '').trim(), members });
  };
  const submitSend = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    send.mutate(
      { to: String(data.get('to') ?? '').trim(), text: String(data.get('text') ?? '') },
      { onSuccess: () => form.reset() },
    );
  };

  return (
    <div className="screen">
      <h1>Number pools</h1>
      <form className="panel" onSubmit={submitPool} aria-label="New pool">
        <label htmlFor="pool-name">Pool name</label>
        <input id="pool-name" name="name" required maxLength={100} placeholder="Support numbers" />
        <fieldset>
          <legend>Members</legend>
          {sessions.data?.map((s) => (
            <label key={s.id} className="check">
              <input type="checkbox" name="members" value={s.id} />
              {s.name ?? s.id} ({s.status})
            </label>
          ))}
        </fieldset>
        <label htmlFor="pool-cap">Daily cap of new contacts per member (empty: none)</label>
        <input id="pool-cap" name="dailyCap" type="number" min={1} />
        <button type="submit" disabled={create.isPending}>
          Create pool
        </button>
      </form>
      <ErrorText error={create.error ?? pools.error ?? pool.error ?? send.error} />
      {pools.data && pools.data.length > 1 && (
        <label>
          Pool{' '}
          <select value={poolId ?? ''} onChange={(e) => setSelected(e.target.value)}>
            {pools.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {pool.data && (
        <section className="panel" aria-label={`Pool ${pool.data.name}`} data-testid="pool">
          <h2>{pool.data.name}</h2>
          <p data-testid="pool-policy">
            New contacts: {pool.data.policy.whenNoMember === 'fail' ? 'fail' : 'wait'} when no member is free;
            disconnected members keep contacts {pool.data.policy.disconnectedGraceSeconds} s; warm-up{' '}
            {pool.data.policy.warmup.length > 0 ? pool.data.policy.warmup.join(' → ') : 'none'}
          </p>
          <div className="table-scroll">
            <table data-testid="pool-members">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Health</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Restricted</th>
                  <th scope="col">Contacts</th>
                  <th scope="col">New today</th>
                </tr>
              </thead>
              <tbody>
                {pool.data.members.map((m) => (
                  <tr key={m.sessionId} data-testid="pool-member" data-session-id={m.sessionId}>
                    <td>{nameOf(m.sessionId)}</td>
                    <td>
                      {m.health}
                      {m.reason ? ` (${m.reason})` : ''}
                    </td>
                    <td>{m.stats.sent}</td>
                    <td>{m.stats.failed}</td>
                    <td title={restrictedTitle(m.stats.restrictions)}>{m.stats.restrictedPeriods}×</td>
                    <td>{m.stats.contactsAssigned}</td>
                    <td>
                      {m.stats.newContactsToday}
                      {m.stats.allowanceToday !== undefined ? ` / ${m.stats.allowanceToday}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p data-testid="pool-totals">
            {pool.data.totals?.sent ?? 0} sent, {pool.data.totals?.contactsAssigned ?? 0} contacts,{' '}
            {pool.data.totals?.failed ?? 0} failed, {pool.data.totals?.restrictedPeriods ?? 0} restricted
            periods
          </p>
          <form onSubmit={submitSend} aria-label="Send through the pool">
            <label htmlFor="pool-to">To</label>
            <input id="pool-to" name="to" required placeholder="+15551234567" />
            <label htmlFor="pool-text">Message</label>
            <input id="pool-text" name="text" required maxLength={4096} />
            <button type="submit" disabled={send.isPending}>
              Send through pool
            </button>
          </form>
          {sentTo && (
            <p role="status" data-testid="pool-sent">
              Queued for {sentTo.to} on {nameOf(sentTo.sessionId)} ·{' '}
              <Link to={chatPath(sentTo.sessionId, sentTo.to)}>Open the chat</Link>
            </p>
          )}
        </section>
      )}
    </div>
  );
}
