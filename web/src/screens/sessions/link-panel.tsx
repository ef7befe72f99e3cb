/**
 * Linking a session: by QR (drawn live as WhatsApp rotates it) or by pairing code (a phone number in, a large
 * code out, replaced live when the phone asks for a new one). Ends on `connected`; an expired QR offers to
 * start again.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { unwrap } from '../../api/client';
import type { Session } from '../../api/types';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';
import { ErrorText } from '../../ui/error-text';
import { QrCanvas } from '../../ui/qr-canvas';
import { StatusBadge } from '../../ui/status-badge';
import { useSessionPairing } from './use-session-pairing';

const ENDED = new Set(['qr_expired', 'logged_out', 'failed']);

export function LinkPanel(props: { session: Session; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const sessionId = props.session.id;
  const [attempt, setAttempt] = useState(0);
  const [mode, setMode] = useState<'qr' | 'code'>('qr');
  const [error, setError] = useState<unknown>(null);
  const { view, setCode } = useSessionPairing(api, sessionId, attempt);
  const status = view.status ?? props.session.status;
  // A code can be asked for once a host runs the session and WhatsApp offers linking (it shows a QR then).
  const canAskCode = view.qr !== undefined || status === 'qr' || status === 'pairing';

  // Linking needs the session running: start it when it is not (again after an expired QR).
  useEffect(() => {
    if (attempt === 0 && !ENDED.has(props.session.status) && props.session.desired === 'running') return;
    void api
      .POST('/v1/sessions/{sessionId}/start', { params: { path: { sessionId } } })
      .then(unwrap)
      .then(() => queryClient.invalidateQueries({ queryKey: queryKeys.sessions() }))
      .catch(setError);
  }, [api, attempt, props.session.desired, props.session.status, queryClient, sessionId]);

  const requestCode = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const phone = String(new FormData(event.currentTarget).get('phone') ?? '').trim();
    try {
      const answer = unwrap(
        await api.POST('/v1/sessions/{sessionId}/pairing-code', {
          params: { path: { sessionId } },
          body: { phone },
        }),
      );
      setCode({ ...answer, refresh: view.code?.refresh ?? 1 });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="panel link-panel" aria-labelledby="link-title" data-testid="link-panel">
      <header>
        <h2 id="link-title">Link {props.session.name ?? sessionId}</h2>
        <button type="button" className="link" onClick={props.onClose}>
          Close
        </button>
      </header>
      <p role="status" data-testid="link-status" data-status={status}>
        <StatusBadge status={status} />
        {view.phone && status === 'connected' ? ` Linked to ${view.phone}.` : ''}
      </p>
      {status === 'connected' ? (
        <p className="success" data-testid="linked">
          Linked{view.phone ? ` to ${view.phone}` : ''}. Messages now flow through this session.
        </p>
      ) : ENDED.has(status) ? (
        <div>
          <p>{view.reason ?? 'The link attempt ended.'}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)} data-testid="try-again">
            Try again
          </button>
        </div>
      ) : (
        <>
          <div role="tablist" aria-label="How to link" className="tabs">
            <button type="button" role="tab" aria-selected={mode === 'qr'} onClick={() => setMode('qr')}>
              QR code
            </button>
            <button type="button" role="tab" aria-selected={mode === 'code'} onClick={() => setMode('code')}>
              Phone number
            </button>
          </div>
          {mode === 'qr' ? (
            view.qr ? (
              <figure>
                <QrCanvas
                  text={view.qr.text}
                  refresh={view.qr.refresh}
                  label="QR code to scan with WhatsApp"
                />
                <figcaption>
                  On the phone: WhatsApp › Settings › Linked devices › Link a device, then scan. It refreshes
                  by itself.
                </figcaption>
              </figure>
            ) : (
              <p>Waiting for WhatsApp to give a QR code…</p>
            )
          ) : (
            <form onSubmit={(e) => void requestCode(e)} className="pair-code-form">
              <label htmlFor="pair-phone">Phone number of the WhatsApp account (E.164)</label>
              <input id="pair-phone" name="phone" type="tel" placeholder="+15551234567" required />
              <button type="submit" disabled={!canAskCode}>
                Get a code
              </button>
              {!canAskCode && <p className="hint">Waiting for the session to start…</p>}
              {view.code && (
                <p className="pairing-code" data-testid="pairing-code" data-refresh={view.code.refresh}>
                  <span className="visually-hidden">Pairing code: </span>
                  {view.code.code}
                </p>
              )}
              {view.code && (
                <p className="hint">
                  On {view.code.phone}: WhatsApp › Linked devices › Link with phone number, and type this
                  code.
                </p>
              )}
            </form>
          )}
        </>
      )}
      <ErrorText error={error} />
    </section>
  );
}
