/**
 * Linking by phone number (`session.pairing-code`): once the session's socket is at the QR stage, Baileys asks
 * WhatsApp for a code for that number; the host writes it onto the session item with the command's `requestId`
 * (the API waits for it) and stops showing QRs. The user types the code on the phone; WhatsApp then completes
 * the pairing exactly like a scanned QR (pair-success, restart, open).
 */
import { errorFields } from './logger.js';
import type { SessionRunner } from './runner.js';

/** How long to wait for the socket to reach the QR stage (a fresh claim is still connecting). */
const QR_STAGE_WAIT_MS = 30_000;

export async function requestPairingCode(
  runner: SessionRunner,
  phone: string,
  requestId: string,
): Promise<void> {
  if (runner.auth?.linked) {
    runner.log.info('pairing code ignored: the session is already linked', { requestId });
    return;
  }
  try {
    await runner.waitForQr(QR_STAGE_WAIT_MS);
  } catch (error) {
    runner.log.warn('pairing code not requested: the session never reached the QR stage', {
      requestId,
      ...errorFields(error),
    });
    return;
  }
  const socket = runner.socket;
  if (!socket || runner.stopping) return;
  runner.qr.pairingCodeRequested = true;
  let code: string;
  try {
    code = await socket.requestPairingCode(phone.replace(/^\+/, ''));
  } catch (error) {
    runner.qr.pairingCodeRequested = false;
    runner.log.warn('pairing code request failed', { requestId, ...errorFields(error) });
    return;
  }
  const expiresAt = new Date(Date.now() + runner.deps.config.pairingCodeTtlMs).toISOString();
  // The API polls the session item for this requestId; browsers see the status change to `pairing`.
  await runner.writeStatus(
    'pairing',
    { qr: null, pairingCode: { code, phone, requestId, expiresAt } },
    'waiting for the pairing code on the phone',
  );
}
