/**
 * `<stream:error><ack id=…/></stream:error>` on top of Baileys rc14 (docs/whatsapp-compatibility.md). Today's
 * server sometimes ends a stream this way; the stanza has no `code`, so rc14 reports it as 500 (`badSession`),
 * which `reconnect.ts` maps to `failed` (the tenant would have to link again). The device is still linked and
 * the next login works, so the runner reconnects with its usual backoff instead, at most `maxReconnects` times
 * in a row; an account that keeps getting it ends `failed` with the code `stream_error_ack`.
 *
 * A `CB:stream:error` hook sees the frame before Baileys' own handler has closed the socket (its `end()` awaits
 * the WebSocket close before it emits `connection.update`), so the close that follows is known to be this one.
 *
 * Drop it when Baileys maps a stream error with an `ack` child to a retryable code.
 */
import { getBinaryNodeChild } from '@whiskeysockets/baileys';
import type { BinaryNode, WASocket } from '@whiskeysockets/baileys';
import { METRIC } from '../metrics.js';
import type { CloseAction } from '../reconnect.js';

/** A connection that stayed open this long before its ack close starts a new run of consecutive closes. */
export const STABLE_CONNECTION_MS = 5 * 60_000;

export interface StreamAckDeps {
  readonly maxReconnects: number;
  readonly count: (metric: string) => void;
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
  readonly now?: () => number;
}

/** One per session runner: watches each socket it opens and decides what an ack close means. */
export class StreamAckGuard {
  #seen: WeakSet<WASocket> = new WeakSet();
  #consecutive = 0;
  #openedAt: number | undefined;
  readonly #now: () => number;

  constructor(private readonly deps: StreamAckDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Hooks `socket`'s stream errors; call once per socket, right after it is made. */
  watch(socket: WASocket): void {
    this.#openedAt = undefined;
    socket.ws.on('CB:stream:error', (node: BinaryNode) => {
      if (getBinaryNodeChild(node, 'ack')) this.#seen.add(socket);
    });
  }

  opened(): void {
    this.#openedAt = this.#now();
  }

  /**
   * What the close of `socket` means when it followed `<stream:error><ack/>`: a retry, or `failed` once the
   * consecutive ones exceed the cap; undefined for any other close (the usual table applies).
   */
  onClose(socket: WASocket | undefined): CloseAction | undefined {
    const openedAt = this.#openedAt;
    this.#openedAt = undefined;
    if (!socket || !this.#seen.has(socket)) {
      this.#consecutive = 0;
      return undefined;
    }
    if (openedAt !== undefined && this.#now() - openedAt >= STABLE_CONNECTION_MS) this.#consecutive = 0;
    this.#consecutive += 1;
    this.deps.count(METRIC.streamErrorAcks);
    this.deps.warn('stream ended with <stream:error><ack/>', {
      consecutive: this.#consecutive,
      max: this.deps.maxReconnects,
    });
    if (this.#consecutive > this.deps.maxReconnects) {
      return {
        kind: 'failed',
        code: 'stream_error_ack',
        message: `WhatsApp ended the stream with an ack error ${this.#consecutive} times in a row`,
      };
    }
    return { kind: 'retry' };
  }
}
