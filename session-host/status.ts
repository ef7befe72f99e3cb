/**
 * Writes a session's status (and QR / pairing code / errors) onto the session item with the lease guard, and
 * tells the world: a `session.status` domain event on the bus when the status changes, and frames to the
 * browsers watching the session. A write from a host that lost its lease fails with `LeaseLostError`, which the
 * runner turns into an immediate stop.
 */
import { sessionStatusFrame } from '../shared/contracts/ws-frames.js';
import { makeEvent } from '../shared/domain/events.js';
import type { Session, SessionStatus } from '../shared/domain/session.js';
import type { EventBus } from '../shared/ports/event-bus.js';
import type { SessionDetailsPatch, SessionRepository } from '../shared/ports/session-repository.js';
import type { WsFrame, WsPusher } from '../shared/ports/ws-pusher.js';
import { errorFields, type HostLogger } from './logger.js';

export interface StatusReporterDeps {
  readonly hostId: string;
  readonly sessions: SessionRepository;
  /** The host's event outbox (`events/event-outbox.ts`): a bus outage delays `session.status`, loses none. */
  readonly events: EventBus;
  readonly ws: WsPusher;
  readonly log: HostLogger;
}

export class StatusReporter {
  #current: SessionStatus;

  constructor(
    private readonly deps: StatusReporterDeps,
    private readonly session: Pick<Session, 'id' | 'tenantId'>,
    initial: SessionStatus,
  ) {
    this.#current = initial;
  }

  get current(): SessionStatus {
    return this.#current;
  }

  /**
   * Writes the status and details (guarded). Throws `LeaseLostError` when the lease is gone and `ConflictError`
   * when the status machine refuses the change. Events and frames are best effort: the item is the truth.
   */
  async report(status: SessionStatus, details: SessionDetailsPatch = {}, reason?: string): Promise<Session> {
    const previous = this.#current;
    const saved = await this.deps.sessions.updateStatus(this.session.id, status, details, {
      hostId: this.deps.hostId,
    });
    this.#current = status;
    if (status !== previous) {
      this.deps.log.info('session status', { sessionId: this.session.id, status, previous, reason });
      void this.deps.events
        .publish([
          makeEvent('session.status', {
            tenantId: this.session.tenantId,
            sessionId: this.session.id,
            data: {
              status,
              previousStatus: previous,
              ...(saved.phone ? { phone: saved.phone } : {}),
              ...(reason ? { reason: reason.slice(0, 500) } : {}),
            },
          }),
        ])
        .catch((error: unknown) =>
          this.deps.log.warn('session.status event not published', {
            sessionId: this.session.id,
            ...errorFields(error),
          }),
        );
      this.push(
        sessionStatusFrame({
          sessionId: this.session.id,
          status,
          ...(saved.phone ? { phone: saved.phone } : {}),
          ...(reason ? { reason: reason.slice(0, 500) } : {}),
          at: saved.updatedAt,
        }),
      );
    }
    return saved;
  }

  /** A frame to the session's browsers; failures are logged, never thrown (nobody may be watching). */
  push(frame: WsFrame): void {
    this.deps.ws.pushToSession(this.session.id, frame).catch((error: unknown) =>
      this.deps.log.warn('ws push failed', {
        sessionId: this.session.id,
        frame: frame.type,
        ...errorFields(error),
      }),
    );
  }
}
