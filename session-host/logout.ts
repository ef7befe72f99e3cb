/**
 * `session.logout`: unlink the device on WhatsApp (remove-companion-device), erase the credentials, status
 * `logged_out`, desired `stopped`. The close Baileys reports afterwards (401) is not handled again: the runner
 * is already stopping by then.
 */
import { errorFields } from './logger.js';
import type { SessionRunner } from './runner.js';

export async function logoutSession(runner: SessionRunner): Promise<void> {
  const socket = runner.socket;
  const at = new Date().toISOString();
  const plan = {
    flush: false,
    eraseCredentials: true,
    status: {
      status: 'logged_out' as const,
      details: {
        qr: null,
        pairingCode: null,
        lastError: { code: 'logged_out', message: 'logged out through the API', at },
      },
      reason: 'logged out through the API',
    },
    stopDesired: true,
    release: true,
    why: 'logout command',
  };
  if (socket && runner.connected) {
    runner.ignoreSocketEvents();
    // Unlinks on WhatsApp's side first; a failure (socket already gone) still erases our copy below.
    await socket
      .logout('logged out through the API')
      .catch((error: unknown) =>
        runner.log.warn('logout on WhatsApp failed; erasing credentials anyway', errorFields(error)),
      );
  }
  await runner.stop(plan);
}
