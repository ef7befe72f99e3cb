/**
 * The contact of an open chat: profile picture, about text, business profile (asked of WhatsApp through the
 * session's host each time it opens) and block / unblock.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import { ErrorText } from '../../ui/error-text';

export function ContactPanel(props: { api: ApiClient; sessionId: string; phone: string }) {
  const { api, sessionId, phone } = props;
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const path = { sessionId, phone };
  const profile = useQuery({
    queryKey: ['contact-profile', sessionId, phone],
    queryFn: async () =>
      unwrap(await api.GET('/v1/sessions/{sessionId}/contacts/{phone}/profile', { params: { path } })),
  });
  const blocked = useQuery({
    queryKey: ['blocked', sessionId],
    queryFn: async () =>
      unwrap(await api.GET('/v1/sessions/{sessionId}/contacts/blocked', { params: { path: { sessionId } } }))
        .items,
  });
  const isBlocked = blocked.data?.some((b) => b.phone === phone) ?? false;

  const toggle = async () => {
    setError(null);
    try {
      const route = isBlocked
        ? '/v1/sessions/{sessionId}/contacts/{phone}/unblock'
        : '/v1/sessions/{sessionId}/contacts/{phone}/block';
      unwrap(await api.POST(route, { params: { path } }));
      await queryClient.invalidateQueries({ queryKey: ['blocked', sessionId] });
    } catch (e) {
      setError(e);
    }
  };

  const p = profile.data;
  return (
    <aside className="contact-panel" aria-label="Contact" data-testid="contact-panel">
      {profile.isPending && <p className="hint">Asking WhatsApp…</p>}
      {p?.pictureUrl && <img className="avatar" src={p.pictureUrl} alt="Profile picture" />}
      {p && (
        <dl className="facts">
          <dt>Number</dt>
          <dd>{phone}</dd>
          <dt>About</dt>
          <dd data-testid="contact-about">{p.about ?? '—'}</dd>
          {p.business && (
            <>
              <dt>Business</dt>
              <dd>
                {[p.business.category, p.business.description, p.business.email, p.business.website]
                  .filter(Boolean)
                  .join(' · ')}
              </dd>
            </>
          )}
        </dl>
      )}
      <button type="button" disabled={blocked.isPending} onClick={() => void toggle()}>
        {isBlocked ? 'Unblock' : 'Block'}
      </button>
      <ErrorText error={error ?? profile.error ?? blocked.error} />
    </aside>
  );
}
