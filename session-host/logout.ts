/**
 * `session.logout`: unlink the device on WhatsApp (remove-companion-device), erase the credentials, status
 * `logged_out`, desired `stopped`. The close Baileys reports afterwards (401) is not handled again: the runner
 * is already stopping by then.
 */
import { errorFields } from './logger.js';
import type { SessionRunner } from './runner.js';
import { loggedOut } from './stop-plans.js';

/** What logging out may touch of a session runner: its socket, and stopping it. */
export type LogoutSession = Pick<
  SessionRunner,
  'socket' | 'connected' | 'ignoreSocketEvents' | 'log' | 'stop'
>;

export async function logoutSession(runner: LogoutSession): Promise<void> {
  const socket = runner.socket;
  const plan = loggedOut('logged out through the API', 'logout command');
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
