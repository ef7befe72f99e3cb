import { availableParallelism } from 'node:os';

/** Handshakes per core the default allows, and its bounds (see `defaultConnectConcurrency`). */
export const CONNECT_SLOTS_PER_CORE = 4;
export const CONNECT_SLOTS_MIN = 4;
export const CONNECT_SLOTS_MAX = 16;

/**
 * The connect concurrency a host uses unless `APP_CONNECT_CONCURRENCY` says otherwise: 4 per core the process
 * may use (`os.availableParallelism()`, which honours the container's CPU limit where Node can see it), at least
 * 4 and at most 16. A reconnect of a linked session is mostly waiting on the network (Noise handshake, login,
 * the first queries), so a few per core keep the CPU busy; the JavaScript of all sessions shares one thread,
 * and extra cores mostly run libuv's thread pool (async crypto, zlib) and the GC, hence the cap. On a 1-vCPU
 * Fargate task this is the earlier fixed 4; on 2 vCPUs, 8.
 */
export function defaultConnectConcurrency(cores: number = availableParallelism()): number {
  return Math.min(CONNECT_SLOTS_MAX, Math.max(CONNECT_SLOTS_MIN, CONNECT_SLOTS_PER_CORE * Math.floor(cores)));
}

/**
 * Paces connect handshakes across the host's sessions. A connect is CPU-bound at the start (Noise, and after a
 * pairing the generation and upload of 812 prekeys, about 4 per second per core), so a burst (a host taking over
 * a dead host's sessions, mass pairing) would starve every open session's event loop. A slot is held from the
 * socket's creation until it shows a QR, opens or closes, whichever comes first.
 */
export class ConnectPacer {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a slot is free; the release is idempotent. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          const i = this.#waiting.indexOf(go);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        if (signal?.aborted) return abort();
        signal?.addEventListener('abort', abort, { once: true });
        this.#waiting.push(go);
      });
    } else {
      this.#active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    };
  }
}
