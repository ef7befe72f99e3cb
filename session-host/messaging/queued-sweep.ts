/**
 * The backstop for a lost doorbell (docs/session-host.md, "Chaos test"): every `everyMs` (plus jitter), each
 * session attached to this host lists its backlog again (`queued`, and `sending` left by a stopped attempt) and
 * hands it to its send lane.
 *
 * A message is stored `queued` before its doorbell is rung, and DynamoDB is the truth; but the API's ring is
 * best effort (an SQS error or outage after the SDK's retries is only logged), and the drain that covers a lost
 * doorbell ran only when a host attached the session. A session that stayed on its host kept such a message
 * `queued` forever. The sweep also retries a first listing that failed (the backlog of a session taken over
 * while DynamoDB refused calls, `sending` messages of the dead host included).
 *
 * Cost: one `Query` on each of the sparse `queued` and `sending` indexes per attached session per round (usually
 * empty), a few sessions at a time.
 */
import { forEachBounded } from '../bounded-pool.js';
import type { MessagingLogger } from './deps.js';

export interface Sweepable {
  readonly sessionId: string;
  /** Lists what the session still has to send and schedules it (duplicates are ignored by the lane). */
  sweep(): Promise<void>;
}

export interface QueuedSweepOptions {
  /** Time between two rounds; 0 turns the sweep off. */
  readonly everyMs: number;
  readonly sessions: () => Iterable<Sweepable>;
  readonly log: MessagingLogger;
  /** Sessions listed at once in a round. */
  readonly concurrency?: number;
  readonly random?: () => number;
}

export class QueuedSweep {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly options: QueuedSweepOptions) {}

  start(): void {
    if (this.options.everyMs > 0) this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** One round over the attached sessions; a session's failure is logged and the round goes on. */
  async round(): Promise<void> {
    const { log } = this.options;
    await forEachBounded([...this.options.sessions()], this.options.concurrency ?? 4, async (session) => {
      if (this.#stopped) return;
      await session.sweep().catch((error: unknown) =>
        log.warn('queued sweep failed; next round retries', {
          sessionId: session.sessionId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    });
  }

  #arm(): void {
    if (this.#stopped) return;
    const random = this.options.random ?? Math.random;
    // Jitter: hosts started together (a deploy, a failover) do not list in step.
    const delay = Math.round(this.options.everyMs * (0.75 + random() * 0.5));
    this.#timer = setTimeout(() => {
      void this.round().finally(() => this.#arm());
    }, delay);
    this.#timer.unref();
  }
}
