/**
 * The host's command queue, one handler per command (`shared/contracts/host-command.ts`). Commands are doorbells
 * and requests from the control plane; each is for one session, which this host may or may not run:
 *
 * - a host that is stopping forwards commands for sessions it no longer runs to their new owner (handover.ts);
 * - a command naming another tenant than the session's runner is ignored (a forged or stale command);
 * - everything else is by type, below. Nothing here throws for a session this host does not run.
 */
import type { HostCommand, HostCommandOf } from '../shared/contracts/host-command.js';
import type { SessionRepository } from '../shared/ports/session-repository.js';
import type { Handover } from './handover.js';
import type { LeaseKeeper } from './leases.js';
import { errorFields, type HostLogger } from './logger.js';
import { logoutSession } from './logout.js';
import { requestPairingCode } from './pair-code.js';
import type { HostRequests } from './requests/host-requests.js';
import type { SessionRunner } from './runner.js';
import { tenantStop } from './stop-plans.js';

export interface HostCommandDeps {
  /** The runners this host has now, by session id. */
  readonly runners: ReadonlyMap<string, SessionRunner>;
  readonly stopping: () => boolean;
  readonly leases: Pick<LeaseKeeper, 'claimOne'>;
  readonly sessions: Pick<SessionRepository, 'getById'>;
  readonly handover: Pick<Handover, 'forward'>;
  readonly requests: Pick<HostRequests, 'handle'>;
  readonly log: HostLogger;
}

export class HostCommandHandlers {
  constructor(private readonly deps: HostCommandDeps) {}

  async handle(command: HostCommand): Promise<void> {
    const runner = this.deps.runners.get(command.sessionId);
    if (!runner && this.deps.stopping()) return this.deps.handover.forward(command);
    if (runner && runner.tenantId !== command.tenantId) {
      this.deps.log.warn('command for another tenant ignored', {
        sessionId: command.sessionId,
        type: command.type,
      });
      return;
    }
    switch (command.type) {
      case 'session.start':
        return this.start(command, runner);
      case 'session.stop':
        return this.stop(command, runner);
      case 'session.logout':
        return this.logout(command, runner);
      case 'session.pairing-code':
        return this.pairingCode(command, runner);
      case 'message.send':
        return runner?.ring(command.messageId);
      case 'chat.read':
        return runner?.ringRead(command.messageIds);
      case 'host.request':
        // Not awaited: the API polls for the reply; the next commands of this poll need not wait for WhatsApp.
        void this.deps.requests.handle(runner, command);
        return;
    }
  }

  private async start(
    command: HostCommandOf<'session.start'>,
    runner: SessionRunner | undefined,
  ): Promise<void> {
    if (!runner) await this.deps.leases.claimOne(command.sessionId);
  }

  /** A doorbell, maybe stale: acts only if the tenant still wants the session stopped. */
  private async stop(
    command: HostCommandOf<'session.stop'>,
    runner: SessionRunner | undefined,
  ): Promise<void> {
    if (!runner) return;
    const session = await this.deps.sessions.getById(command.sessionId);
    if (!session || session.desired === 'stopped') await runner.stop(tenantStop());
  }

  private async logout(
    command: HostCommandOf<'session.logout'>,
    runner: SessionRunner | undefined,
  ): Promise<void> {
    if (runner) await logoutSession(runner);
    else this.deps.log.info('logout for a session this host does not run', { sessionId: command.sessionId });
  }

  private async pairingCode(
    command: HostCommandOf<'session.pairing-code'>,
    runner: SessionRunner | undefined,
  ): Promise<void> {
    if (!runner) await this.deps.leases.claimOne(command.sessionId);
    const target = this.deps.runners.get(command.sessionId);
    if (!target) return;
    // Not awaited: the socket may need seconds to reach the QR stage; the requestId correlates the answer.
    void requestPairingCode(target, command.phone, command.requestId).catch((error: unknown) =>
      this.deps.log.warn('pairing code failed', { sessionId: command.sessionId, ...errorFields(error) }),
    );
  }
}
