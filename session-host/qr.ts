/**
 * QR linking: every QR Baileys shows (it rotates refs every `APP_QR_TIMEOUT_MS`) is written onto the session
 * item (`qr`: code, refresh, expiresAt) for `GET /v1/sessions/{id}/qr` and pushed to the browsers as a
 * `session.qr` frame. After `APP_QR_REFRESH_LIMIT` QRs nobody scanned, the session is `qr_expired` and its
 * socket closed, instead of showing QRs forever.
 *
 * Every QR carries the adv secret the creds hold NOW: after a `companion_reg_refresh` (compat/pair-refresh.ts)
 * the current QR is drawn again with the new secret, without counting as a refresh.
 */
import type { SessionQr } from '../shared/domain/session.js';
import { sessionQrFrame } from '../shared/contracts/ws-frames.js';
import { withAdvSecret } from './compat/pair-refresh.js';
import { METRIC } from './metrics.js';
import type { PairingCodeRequest } from './pair-code.js';
import type { RunnerDeps, SessionRunner } from './runner.js';

export interface QrState {
  /** QRs shown since the session last connected. */
  shown: number;
  /** A pairing code is being typed on the phone: QRs are no longer shown (the code is). */
  pairingCodeRequested: boolean;
  /** The phone-number code request being served (a `refresh_code` answers it again). */
  pairingCode?: PairingCodeRequest;
  /** The QR shown now, as published (so it can be re-drawn with a rotated secret). */
  current?: SessionQr;
}

/**
 * What the QR flow may touch of a session runner: its linking state, credentials, status writes and pushes, and
 * the QR settings and metrics. Nothing of the socket or the messaging.
 */
export type QrSession = Pick<
  SessionRunner,
  'sessionId' | 'qr' | 'auth' | 'log' | 'stopping' | 'reporter' | 'writeStatus' | 'expireQr'
> & { readonly deps: Pick<RunnerDeps, 'config' | 'metrics'> };

export async function showQr(runner: QrSession, baileysCode: string): Promise<void> {
  if (runner.qr.pairingCodeRequested) return;
  const advSecret = runner.auth?.state.creds.advSecretKey;
  const code = advSecret ? withAdvSecret(baileysCode, advSecret) : baileysCode;
  const { config, metrics } = runner.deps;
  if (runner.qr.shown >= config.qrRefreshLimit) {
    runner.log.info('QR refresh limit reached', { shown: runner.qr.shown });
    return runner.expireQr();
  }
  const refresh = ++runner.qr.shown;
  const expiresAt = new Date(Date.now() + config.qrTimeoutMs).toISOString();
  metrics.count(METRIC.qrShown);
  await publishQr(runner, { code, refresh, expiresAt });
}

/** The adv secret was rotated: the QR on show again, same ref, refresh number and expiry, new secret. */
export async function redrawQr(runner: QrSession): Promise<void> {
  const current = runner.qr.current;
  const advSecret = runner.auth?.state.creds.advSecretKey;
  if (!current || !advSecret || runner.qr.pairingCodeRequested || runner.stopping) return;
  await publishQr(runner, { ...current, code: withAdvSecret(current.code, advSecret) });
}

async function publishQr(runner: QrSession, qr: SessionQr): Promise<void> {
  runner.qr.current = qr;
  const ok = await runner.writeStatus('qr', { qr }, 'waiting for a QR scan');
  if (!ok || runner.stopping) return;
  runner.reporter.push(
    sessionQrFrame({
      sessionId: runner.sessionId,
      qr: qr.code,
      refresh: qr.refresh,
      expiresAt: qr.expiresAt,
    }),
  );
}
