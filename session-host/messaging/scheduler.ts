/**
 * Fair sending across a host's sessions (docs/messaging.md, "Scheduling and pacing").
 *
 * A loop of `await sendMessage` never yields to the event loop (measured on bare Baileys): one session's burst
 * would freeze every other session in the process, including their keep-alives. So sends go through one
 * scheduler per host:
 *
 * - each session is a lane with its pending message ids in id (= send) order, and at most one send in flight;
 * - lanes are served round-robin, up to `concurrency` sends in flight across lanes;
 * - every dispatch is its own `setImmediate` turn, so I/O and timers of other sessions run in between;
 * - after a send a lane rests `minGapMs` plus a random 0..`jitterMs` (pacing: machine-speed bursts get numbers
 *   banned);
 * - a send that may succeed later is retried with backoff, up to `maxAttempts`, then given up (`failed`).
 */
import type { SendOutcome } from './send.js';

export interface LaneWork {
  send(messageId: string): Promise<SendOutcome>;
  /** The last attempt failed with `error`: record the message as failed. */
  giveUp(messageId: string, error: unknown): Promise<void>;
  /** Called when the lane ran out of pending ids (e.g. to list the next page of a backlog). */
  onEmpty?(): void;
}

export interface SchedulerOptions {
  readonly concurrency: number;
  readonly minGapMs: number;
  readonly jitterMs: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly onError: (message: string, fields: Record<string, unknown>) => void;
  readonly random?: () => number;
  readonly now?: () => number;
}

export class SendLane {
  /** Ids waiting, ascending (ULIDs sort in creation order). */
  readonly pending: string[] = [];
  readonly attempts = new Map<string, number>();
  current: string | undefined;
  readyAt = 0;
  detached = false;
  readonly idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly work: LaneWork,
  ) {}

  get idle(): boolean {
    return this.current === undefined && this.pending.length === 0;
  }
}

export class SendScheduler {
  readonly #lanes: SendLane[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #cursor = 0;
  #pumpQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(private readonly options: SchedulerOptions) {
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  addLane(name: string, work: LaneWork): SendLane {
    const lane = new SendLane(name, work);
    this.#lanes.push(lane);
    return lane;
  }

  /** Adds an id in order; an id already pending or in flight on the lane is ignored (duplicate doorbell). */
  enqueue(lane: SendLane, messageId: string): void {
    if (lane.detached || this.#closed) return;
    if (lane.current === messageId) return;
    insertSorted(lane.pending, messageId);
    this.#schedule();
  }

  /** Stops the lane at once: pending ids are dropped (they stay in DynamoDB), an in-flight send finishes. */
  removeLane(lane: SendLane): void {
    lane.detached = true;
    lane.pending.length = 0;
    const i = this.#lanes.indexOf(lane);
    if (i >= 0) {
      this.#lanes.splice(i, 1);
      if (this.#cursor > i) this.#cursor--;
    }
    if (lane.current === undefined) wake(lane);
  }

  /** Resolves once the lane has nothing pending and nothing in flight (or is removed). */
  whenIdle(lane: SendLane): Promise<void> {
    if (lane.idle || lane.detached) return Promise.resolve();
    return new Promise((resolve) => lane.idleWaiters.push(resolve));
  }

  /** No new dispatches; resolves when every in-flight send has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(): void {
    if (this.#pumpQueued || this.#closed) return;
    this.#pumpQueued = true;
    setImmediate(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Starts at most one send, then yields (another turn is scheduled while work remains). */
  #pump(): void {
    if (this.#closed || this.#inFlight.size >= this.options.concurrency) return;
    const now = this.#now();
    let earliest = Number.POSITIVE_INFINITY;
    const count = this.#lanes.length;
    for (let step = 0; step < count; step++) {
      const index = (this.#cursor + step) % count;
      const lane = this.#lanes[index]!;
      if (lane.current !== undefined || lane.pending.length === 0) continue;
      if (lane.readyAt > now) {
        earliest = Math.min(earliest, lane.readyAt);
        continue;
      }
      this.#cursor = (index + 1) % count;
      this.#start(lane, lane.pending.shift()!);
      this.#schedule();
      return;
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.#wakeAt(earliest);
  }

  #wakeAt(at: number): void {
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#schedule();
      },
      Math.max(0, at - this.#now()),
    );
    this.#timer.unref();
  }

  #start(lane: SendLane, messageId: string): void {
    lane.current = messageId;
    const run = this.#run(lane, messageId).finally(() => {
      this.#inFlight.delete(run);
      lane.current = undefined;
      if (lane.pending.length === 0 && !lane.detached) lane.work.onEmpty?.();
      if (lane.idle || lane.detached) wake(lane);
      this.#schedule();
    });
    this.#inFlight.add(run);
  }

  async #run(lane: SendLane, messageId: string): Promise<void> {
    let outcome: SendOutcome;
    try {
      outcome = await lane.work.send(messageId);
    } catch (error) {
      if (lane.detached) return;
      const attempt = (lane.attempts.get(messageId) ?? 0) + 1;
      if (attempt >= this.options.maxAttempts) {
        lane.attempts.delete(messageId);
        await lane.work.giveUp(messageId, error).catch((giveUpError: unknown) =>
          this.options.onError('could not record a failed send', {
            lane: lane.name,
            messageId,
            error: giveUpError instanceof Error ? giveUpError.message : String(giveUpError),
          }),
        );
        this.#rest(lane, 0);
        return;
      }
      lane.attempts.set(messageId, attempt);
      insertSorted(lane.pending, messageId);
      this.#rest(lane, this.options.retryBaseMs * 2 ** (attempt - 1));
      return;
    }
    lane.attempts.delete(messageId);
    if (outcome === 'sent' || outcome === 'failed') this.#rest(lane, 0);
  }

  /** Pacing: the lane's next send waits the minimum gap plus jitter (or the retry backoff, if longer). */
  #rest(lane: SendLane, atLeastMs: number): void {
    const gap = this.options.minGapMs + Math.floor(this.#random() * (this.options.jitterMs + 1));
    lane.readyAt = this.#now() + Math.max(gap, atLeastMs);
  }
}

function insertSorted(list: string[], id: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== id) list.splice(lo, 0, id);
}

function wake(lane: SendLane): void {
  for (const resolve of lane.idleWaiters.splice(0)) resolve();
}
