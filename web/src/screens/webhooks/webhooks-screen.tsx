/**
 * Webhook subscriptions (create with events and a session filter, the secret shown once; edit, enable, delete),
 * each endpoint's health, and the delivery log of the selected one with replay.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { unwrap } from '../../api/client';
import type { Webhook } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ConfirmButton } from '../../ui/confirm-button';
import { ErrorText } from '../../ui/error-text';
import { StatusBadge } from '../../ui/status-badge';
import { Time } from '../../ui/time';
import { Deliveries } from './deliveries';
import { WebhookForm, type WebhookFormValue } from './webhook-form';

export default function WebhooksScreen() {
  const api = useApi();
  const queryClient = useQueryClient();
  const { webhookId } = useParams();
  const [secret, setSecret] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const webhooks = useQuery({
    queryKey: queryKeys.webhooks(),
    queryFn: async () => unwrap(await api.GET('/v1/webhooks', { params: { query: { limit: 100 } } })).items,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.webhooks() });

  const create = useMutation({
    mutationFn: async (value: WebhookFormValue) => unwrap(await api.POST('/v1/webhooks', { body: value })),
    onSuccess: async (created) => {
      setSecret(created.secret);
      await refresh();
    },
  });
  const update = useMutation({
    mutationFn: async ({ id, value }: { id: string; value: Partial<WebhookFormValue> }) =>
      unwrap(
        await api.PATCH('/v1/webhooks/{webhookId}', { params: { path: { webhookId: id } }, body: value }),
      ),
    onSuccess: async () => {
      setEditing(null);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/v1/webhooks/{webhookId}', { params: { path: { webhookId: id } } })),
    onSettled: refresh,
  });

  const selected = webhooks.data?.find((w) => w.id === webhookId);
  return (
    <div className="screen">
      <h1>Webhooks</h1>
      <details className="panel">
        <summary>New subscription</summary>
        <WebhookForm
          submitLabel="Create subscription"
          busy={create.isPending}
          onSubmit={(v) => create.mutate(v)}
        />
      </details>
      {secret && (
        <div className="panel secret" role="status" data-testid="webhook-secret">
          <p>Signing secret (shown once; store it now):</p>
          <code>{secret}</code>
          <button type="button" className="link" onClick={() => setSecret(null)}>
            I stored it
          </button>
        </div>
      )}
      <ErrorText error={create.error ?? update.error ?? remove.error ?? webhooks.error} />
      <ul className="cards" aria-label="Webhook subscriptions">
        {webhooks.data?.map((w) => (
          <li key={w.id} className="card" data-testid="webhook-card" data-webhook-id={w.id}>
            <div className="card-head">
              <h2>{w.description ?? w.url}</h2>
              <Health webhook={w} />
            </div>
            <dl className="facts">
              <dt>URL</dt>
              <dd>
                <code>{w.url}</code>
              </dd>
              <dt>Events</dt>
              <dd>{Array.isArray(w.events) ? w.events.join(', ') : String(w.events)}</dd>
              <dt>Sessions</dt>
              <dd>{w.sessionIds?.join(', ') ?? 'all'}</dd>
            </dl>
            {editing === w.id ? (
              <WebhookForm
                initial={w}
                submitLabel="Save"
                busy={update.isPending}
                onSubmit={(value) => update.mutate({ id: w.id, value })}
                onCancel={() => setEditing(null)}
              />
            ) : (
              <div className="actions">
                <Link to={`/webhooks/${w.id}`}>Deliveries</Link>
                <button type="button" onClick={() => setEditing(w.id)}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() => update.mutate({ id: w.id, value: { enabled: !w.enabled } })}
                >
                  {w.enabled ? 'Disable' : 'Enable'}
                </button>
                <ConfirmButton
                  label="Delete"
                  question="Delete this subscription?"
                  onConfirm={() => remove.mutate(w.id)}
                />
              </div>
            )}
          </li>
        ))}
      </ul>
      {webhooks.data?.length === 0 && <p className="hint">No subscriptions yet.</p>}
      {selected && <Deliveries webhook={selected} />}
    </div>
  );
}

function Health(props: { webhook: Webhook }) {
  const w = props.webhook;
  if (!w.enabled)
    return (
      <StatusBadge
        status="disabled"
        label={w.disabledReason ? `disabled: ${w.disabledReason}` : 'disabled'}
      />
    );
  if ((w.failureStreak ?? 0) > 0) {
    return (
      <span>
        <StatusBadge status="failing" label={`failing (${w.failureStreak} in a row)`} />
        {w.failingSince && (
          <span className="hint">
            {' '}
            since <Time at={w.failingSince} />
          </span>
        )}
      </span>
    );
  }
  return <StatusBadge status="healthy" />;
}
