/** The delivery log of one subscription: each event's attempts, the endpoint's last answer, and replay. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../../api/client';
import type { Webhook } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';
import { StatusBadge } from '../../ui/status-badge';
import { Time } from '../../ui/time';

export function Deliveries(props: { webhook: Webhook }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const webhookId = props.webhook.id;
  const deliveries = useQuery({
    queryKey: queryKeys.deliveries(webhookId),
    refetchInterval: 5_000,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/webhooks/{webhookId}/deliveries', {
          params: { path: { webhookId }, query: { limit: 50 } },
        }),
      ).items,
  });
  const replay = useMutation({
    mutationFn: async (deliveryId: string) =>
      unwrap(
        await api.POST('/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry', {
          params: { path: { webhookId, deliveryId } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.deliveries(webhookId) }),
  });

  return (
    <section className="panel" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries to {props.webhook.url}</h2>
      <ErrorText error={replay.error ?? deliveries.error} />
      <div className="table-scroll">
        <table className="deliveries" data-testid="deliveries">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">When</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data?.map((d) => (
              <tr key={d.id} data-testid="delivery" data-delivery-id={d.id} data-status={d.status}>
                <td>
                  {d.eventType}
                  <br />
                  <code className="hint">{d.eventId}</code>
                </td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>{d.attempts}</td>
                <td>
                  {d.lastStatusCode !== undefined && <code>HTTP {d.lastStatusCode}</code>} {d.lastError}
                </td>
                <td>
                  <Time at={d.lastAttemptAt ?? d.createdAt} />
                </td>
                <td>
                  {d.status !== 'pending' && (
                    <button type="button" disabled={replay.isPending} onClick={() => replay.mutate(d.id)}>
                      Replay
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {deliveries.data?.length === 0 && <p className="hint">No deliveries yet.</p>}
    </section>
  );
}
