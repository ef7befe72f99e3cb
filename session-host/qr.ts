/**
 * QR linking: every QR Baileys shows (it rotates refs every `APP_QR_TIMEOUT_MS`) is written onto the session
 * item (`qr`: code, refresh, expiresAt) for `GET /v1/sessions/{id}/qr` and pushed to the browsers as a
 * `session.qr` frame. After `APP_QR_REFRESH_LIMIT` QRs nobody scanned, the session is `qr_expired` and its
 * socket closed, instead of showing QRs forever.
 */
import { sessionQrFrame } from '../shared/contracts/ws-frames.js';
import { METRIC } from './metrics.js';
import type { SessionRunner } from './runner.js';

export interface QrState {
  /** QRs shown since the session last connected. */
  shown: number;
  /** A pairing code is being typed on the phone: QRs are no longer shown (the code is). */
  pairingCodeRequested: boolean;
}

export async function showQr(runner: SessionRunner, code: string): Promise<void> {
  if (runner.qr.pairingCodeRequested) return;
  const { config, metrics } = runner.deps;
  if (runner.qr.shown >= config.qrRefreshLimit) {
    runner.log.info('QR refresh limit reached', { shown: runner.qr.shown });
    return runner.expireQr();
  }
  const refresh = ++runner.qr.shown;
  const expiresAt = new Date(Date.now() + config.qrTimeoutMs).toISOString();
  metrics.count(METRIC.qrShown);
  const ok = await runner.writeStatus('qr', { qr: { code, refresh, expiresAt } }, 'waiting for a QR scan');
  if (!ok || runner.stopping) return;
  runner.reporter.push(sessionQrFrame({ sessionId: runner.sessionId, qr: code, refresh, expiresAt }));
}
