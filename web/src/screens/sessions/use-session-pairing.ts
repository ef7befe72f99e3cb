/**
 * Follows one session's linking on its own session-bound WebSocket: the newest QR (a late frame never
 * replaces a newer one; the same rotation drawn again with a new secret after `companion_reg_refresh` does), the newest pairing code, and the session's status, from the host's frames and the
 * realtime worker's events alike.
 */
import { useEffect, useState } from 'react';
import type { WsAnyServerFrame } from '../../../../shared/contracts/ws-frames';
import { unwrap, type ApiClient } from '../../api/client';
import { RealtimeConnection, socketUrl, type RealtimeState } from '../../live/realtime-connection';

export interface PairingView {
  readonly socket: RealtimeState;
  readonly qr?: { text: string; refresh: number; expiresAt: string };
  readonly code?: { code: string; phone: string; refresh: number; expiresAt: string };
  readonly status?: string;
  readonly phone?: string;
  readonly reason?: string;
}

/** A status from the host's frame or the realtime event alike; phone and reason kept until a new one comes. */
function withStatus(
  view: PairingView,
  next: { status: string; phone?: string; reason?: string },
): PairingView {
  return {
    ...view,
    status: next.status,
    ...(next.phone ? { phone: next.phone } : {}),
    ...(next.reason ? { reason: next.reason } : {}),
  };
}

export function reducePairing(view: PairingView, frame: WsAnyServerFrame): PairingView {
  if ('data' in frame) return frame.type === 'session.status' ? withStatus(view, frame.data) : view;
  switch (frame.type) {
    case 'session.qr':
      if (view.qr && view.qr.refresh > frame.refresh) return view;
      return { ...view, qr: { text: frame.qr, refresh: frame.refresh, expiresAt: frame.expiresAt } };
    case 'session.pairing_code':
      if (view.code && view.code.refresh >= frame.refresh) return view;
      return { ...view, code: frame };
    case 'session.status':
      return withStatus(view, frame);
    default:
      return view;
  }
}

export function useSessionPairing(api: ApiClient, sessionId: string, attempt: number) {
  const [view, setView] = useState<PairingView>({ socket: 'connecting' });

  useEffect(() => {
    setView({ socket: 'connecting' });
    const connection = new RealtimeConnection(
      async () =>
        socketUrl(
          unwrap(await api.POST('/v1/sessions/{sessionId}/ws-tickets', { params: { path: { sessionId } } })),
        ),
      {
        onState: (socket) => setView((v) => ({ ...v, socket })),
        onFrame: (frame) => setView((v) => reducePairing(v, frame)),
      },
    );
    connection.start();
    // A QR drawn before the socket opened is not pushed again: read the current one once.
    void api
      .GET('/v1/sessions/{sessionId}/qr', { params: { path: { sessionId } } })
      .then((r) => {
        if (r.data && typeof r.data === 'object') {
          const { qr, refresh, expiresAt } = r.data;
          setView((v) =>
            v.qr && v.qr.refresh >= refresh ? v : { ...v, qr: { text: qr, refresh, expiresAt } },
          );
        }
      })
      .catch(() => undefined);
    return () => connection.stop();
  }, [api, sessionId, attempt]);

  const setCode = (code: NonNullable<PairingView['code']>) =>
    setView((v) => (v.code && v.code.refresh > code.refresh ? v : { ...v, code }));
  return { view, setCode };
}
