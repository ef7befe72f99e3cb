/** The signed-in tenant: its status, plan limits and usage. */
import { useTenantQuery } from '../../api/queries';
import { ErrorText } from '../../ui/error-text';
import { StatusBadge } from '../../ui/status-badge';
import { Time } from '../../ui/time';

export default function OverviewScreen() {
  const tenant = useTenantQuery();
  const t = tenant.data;
  return (
    <div className="screen">
      <h1>Tenant</h1>
      <ErrorText error={tenant.error} />
      {t && (
        <section className="panel" data-testid="tenant">
          <h2>
            {t.name} <StatusBadge status={t.status} />
          </h2>
          <dl className="facts">
            <dt>Tenant id</dt>
            <dd>
              <code>{t.id}</code>
            </dd>
            <dt>Created</dt>
            <dd>
              <Time at={t.createdAt} />
            </dd>
          </dl>
          <h3>Limits and usage</h3>
          <dl className="facts">
            <dt>Sessions</dt>
            <dd>
              <meter min={0} max={t.limits.maxSessions} value={t.usage.sessions} aria-label="Sessions used" />{' '}
              {t.usage.sessions} of {t.limits.maxSessions}
            </dd>
            <dt>Sends per minute</dt>
            <dd>{t.limits.sendsPerMinute}</dd>
            <dt>API requests per minute</dt>
            <dd>{t.limits.requestsPerMinute}</dd>
          </dl>
        </section>
      )}
    </div>
  );
}
