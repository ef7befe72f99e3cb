/**
 * Rings the host that owns a session (DESIGN.md section 3, "Commands to hosts"). DynamoDB already holds the
 * truth when this runs, so a host that is gone (no queue) or a doorbell that cannot be delivered loses nothing:
 * the next host to claim the session reads the work from DynamoDB. Ringing therefore never fails the request.
 */
import type { HostCommand } from '../contracts/host-command.js';
import type { Session } from '../domain/session.js';
import { HostQueueNotFoundError, type HostCommandQueue } from '../ports/host-command-queue.js';

export type RingOutcome = 'rung' | 'no-owner' | 'host-gone' | 'failed';

export interface DoorbellLog {
  warn(message: string, fields: Record<string, unknown>): void;
}

export class HostDoorbell {
  constructor(
    private readonly queue: HostCommandQueue,
    private readonly log: DoorbellLog,
  ) {}

  async ring(session: Pick<Session, 'id' | 'owner'>, command: HostCommand): Promise<RingOutcome> {
    const owner = session.owner;
    if (owner === undefined) return 'no-owner';
    try {
      const url = await this.queue.urlOf(owner);
      if (url === null) return 'host-gone';
      await this.queue.send(url, command);
      return 'rung';
    } catch (error) {
      if (error instanceof HostQueueNotFoundError) return 'host-gone';
      // The work is in DynamoDB; the host drains it when it (re)claims the session.
      this.log.warn('could not ring the session host', {
        sessionId: session.id,
        owner,
        command: command.type,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'failed';
    }
  }
}
