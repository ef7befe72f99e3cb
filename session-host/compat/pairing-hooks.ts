/**
 * Wires today's pairing drifts (compat/pair-refresh.ts, compat/pair-code-refresh.ts) into one session's socket:
 * a rotated adv secret re-draws the QR on show, a rotated code asks for a new one, a passkey account is reported.
 */
import type { WASocket } from '@whiskeysockets/baileys';
import { METRIC } from '../metrics.js';
import { refreshPairingCode, reportPasskeyRequired } from '../pair-code.js';
import { redrawQr } from '../qr.js';
import type { SessionRunner } from '../runner.js';
import { handlePairCodeNotifications } from './pair-code-refresh.js';
import { handleCompanionRegRefresh } from './pair-refresh.js';

export function installPairingCompat(runner: SessionRunner, socket: WASocket): void {
  const auth = runner.auth;
  if (!auth) return;
  const creds = auth.state.creds;
  const log = runner.log;
  const current = (): boolean => runner.socket === socket && !runner.stopping;
  const onFailure = (what: string) => (error: unknown) =>
    log.warn(`${what} failed`, { error: error instanceof Error ? error.message : String(error) });
  handleCompanionRegRefresh(socket, {
    creds,
    persist: (update) => auth.updateCreds(update),
    onRotated: () => {
      runner.deps.metrics.count(METRIC.advSecretRotations);
      if (current()) redrawQr(runner).catch(onFailure('QR re-draw'));
    },
    log,
  });
  handlePairCodeNotifications(socket, {
    creds,
    onRefreshCode: () => {
      if (current()) refreshPairingCode(runner).catch(onFailure('pairing code refresh'));
    },
    onPasskeyRequired: () => {
      if (current()) reportPasskeyRequired(runner).catch(onFailure('passkey report'));
    },
    log,
  });
}
