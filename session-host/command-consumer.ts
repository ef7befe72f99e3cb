/**
 * Long-polls the host's own command queue and dispatches each doorbell (docs/credentials-and-commands.md,
 * "Host commands"). DynamoDB is the truth: a command only makes the host look now instead of at its next
 * round, so duplicates, stale and lost commands are harmless. A command is acked once handled; one whose
 * handler throws comes back after the visibility timeout.
 */
import type { HostCommand } from '../shared/contracts/host-command.js';
import type { HostCommandQueue } from '../shared/ports/host-command-queue.js';
import { errorFields, type HostLogger } from './logger.js';
import { METRIC, type HostMetrics } from './metrics.js';

export interface CommandConsumerDeps {
  readonly queue: HostCommandQueue;
  readonly queueUrl: string;
  readonly log: HostLogger;
  readonly metrics: HostMetrics;
  readonly handle: (command: HostCommand) => Promise<void>;
  /** Long-poll length; shorter in tests so a stop is quick. */
  readonly waitSeconds?: number;
}

export class CommandConsumer {
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: CommandConsumerDeps) {}

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { queue, queueUrl, log } = this.deps;
    let failures = 0;
    while (!this.#abort.signal.aborted) {
      try {
        const received = await queue.receive(queueUrl, {
          max: 10,
          waitSeconds: this.deps.waitSeconds ?? 20,
          signal: this.#abort.signal,
        });
        failures = 0;
        // Commands of one poll run side by side: a slow pairing code must not hold a send doorbell back.
        await Promise.all(
          received.map(async (r) => {
            try {
              await this.deps.handle(r.command);
              this.deps.metrics.count(METRIC.commands);
              await r.ack();
            } catch (error) {
              log.warn('command failed; it will come back', {
                type: r.command.type,
                sessionId: r.command.sessionId,
                receiveCount: r.receiveCount,
                ...errorFields(error),
              });
            }
          }),
        );
      } catch (error) {
        if (this.#abort.signal.aborted) break;
        failures++;
        log.warn('command poll failed', errorFields(error));
        // Backs off so a missing queue or an outage does not spin.
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), this.#abort.signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
