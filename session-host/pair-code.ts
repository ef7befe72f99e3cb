/**
 * Linking by phone number (`session.pairing-code`): once the session's socket is at the QR stage, Baileys asks
 * WhatsApp for a code for that number; once WhatsApp accepted the request the host writes the code onto the
 * session item with the command's `requestId` (the API waits for it), pushes a `session.pairing_code` frame and
 * stops showing QRs. The user types the code on the phone; WhatsApp then completes the pairing exactly like a
 * scanned QR (pair-success, restart, open).
 *
 * Today's server (compat/pair-code-refresh.ts): a refused request is written as `lastError`
 * `pairing_code_rejected` with the `requestId` (the API answers 409 naming it); a `refresh_code` from the phone
 * gets a new code under the same `requestId` (at most `MAX_CODE_REFRESHES` times); a passkey account is
 * reported as `pairing_requires_passkey`.
 */
import { sessionPairingCodeFrame } from '../shared/contracts/ws-frames.js';
import { requestCheckedPairingCode } from './compat/pair-code-refresh.js';
import { errorFields } from './logger.js';
import { METRIC } from './metrics.js';
import type { RunnerDeps, SessionRunner } from './runner.js';

/** How long to wait for the socket to reach the QR stage (a fresh claim is still connecting). */
const QR_STAGE_WAIT_MS = 30_000;
/** WA Web regenerates a code at most 5 times before the user has to start over. */
export const MAX_CODE_REFRESHES = 5;

/** The code request the session is serving, so a rotation can answer it again. */
export interface PairingCodeRequest {
  readonly phone: string;
  readonly requestId: string;
  /** Codes shown for it so far (1 = the first). */
  shown: number;
}

/**
 * What the pairing-code flow may touch of a session runner: its socket (to ask for the code), linking state,
 * credentials, status writes and pushes, and the wait for the QR stage. Nothing of the messaging or the lease.
 */
export type PairingSession = Pick<
  SessionRunner,
  | 'sessionId'
  | 'qr'
  | 'auth'
  | 'socket'
  | 'log'
  | 'status'
  | 'stopping'
  | 'reporter'
  | 'writeStatus'
  | 'waitForQr'
> & { readonly deps: Pick<RunnerDeps, 'config' | 'metrics'> };

export async function requestPairingCode(
  runner: PairingSession,
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
  runner.qr.pairingCode = { phone, requestId, shown: 0 };
  await produceCode(runner, runner.qr.pairingCode);
}

/** The phone rotated the code (`refresh_code`): the one shown is dead, ask WhatsApp for a new one. */
export async function refreshPairingCode(runner: PairingSession): Promise<void> {
  const request = runner.qr.pairingCode;
  if (!request || runner.auth?.linked) return;
  if (request.shown > MAX_CODE_REFRESHES) {
    runner.log.warn('pairing code rotated too often; no new code', { requestId: request.requestId });
    await runner.writeStatus(runner.status, { pairingCode: null }, 'pairing code rotations exhausted');
    return;
  }
  runner.deps.metrics.count(METRIC.pairingCodeRefreshes);
  await produceCode(runner, request);
}

/** The account links by passkey: no code will ever pair it. */
export async function reportPasskeyRequired(runner: PairingSession): Promise<void> {
  const request = runner.qr.pairingCode;
  runner.deps.metrics.count(METRIC.pairingPasskeyRequired);
  await runner.writeStatus(
    runner.status,
    {
      pairingCode: null,
      lastError: {
        code: 'pairing_requires_passkey',
        message:
          'WhatsApp asks this account to link with a passkey, which this platform cannot do; start the session again and link by QR',
        at: new Date().toISOString(),
        ...(request ? { requestId: request.requestId } : {}),
      },
    },
    'pairing requires a passkey',
  );
}

async function produceCode(runner: PairingSession, request: PairingCodeRequest): Promise<void> {
  const socket = runner.socket;
  if (!socket || runner.stopping) return;
  const { phone, requestId } = request;
  runner.qr.pairingCodeRequested = true;
  let answer;
  try {
    answer = await requestCheckedPairingCode(socket, phone.replace(/^\+/, ''));
  } catch (error) {
    runner.qr.pairingCodeRequested = false;
    runner.log.warn('pairing code request failed', { requestId, ...errorFields(error) });
    return;
  }
  if (socket !== runner.socket || runner.stopping) return;
  if (answer.outcome === 'rejected') {
    runner.qr.pairingCodeRequested = false;
    runner.qr.pairingCode = undefined;
    // rc14 set `me` for the code flow; without it this socket can still link by QR (and its refresh).
    runner.auth?.updateCreds({ me: undefined, pairingCode: undefined });
    runner.deps.metrics.count(METRIC.pairingCodesRejected);
    runner.log.warn('pairing code rejected by WhatsApp', { requestId, detail: answer.detail });
    await runner.writeStatus(
      runner.status,
      {
        pairingCode: null,
        lastError: {
          code: 'pairing_code_rejected',
          message: answer.detail,
          at: new Date().toISOString(),
          requestId,
        },
      },
      'pairing code rejected',
    );
    return;
  }
  const refresh = ++request.shown;
  const { code } = answer;
  const expiresAt = new Date(Date.now() + runner.deps.config.pairingCodeTtlMs).toISOString();
  // The API polls the session item for this requestId; browsers see the status change to `pairing`.
  const ok = await runner.writeStatus(
    'pairing',
    { qr: null, pairingCode: { code, phone, requestId, expiresAt }, lastError: null },
    refresh === 1 ? 'waiting for the pairing code on the phone' : 'the phone rotated the pairing code',
  );
  if (!ok || runner.stopping) return;
  runner.reporter.push(
    sessionPairingCodeFrame({ sessionId: runner.sessionId, code, phone, refresh, expiresAt }),
  );
}
