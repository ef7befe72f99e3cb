/**
 * One WebSocket to the platform's WebSocket API, opened with a single-use ticket and opened again (new ticket,
 * growing back-off) whenever it drops. Every frame is validated with the same zod contract the server pushes
 * with; an invalid frame is dropped, never half-used.
 */
import { parseWsServerFrame, type WsAnyServerFrame } from '../../../shared/contracts/ws-frames';

export type RealtimeState = 'connecting' | 'open' | 'closed';

export interface RealtimeHandlers {
  readonly onFrame: (frame: WsAnyServerFrame) => void;
  readonly onState?: (state: RealtimeState) => void;
}

/** API Gateway closes a connection idle for 10 minutes; a ping every 5 keeps it. */
const PING_INTERVAL_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 30_000;

/** The WebSocket URL (with `?ticket=`) of a ticket the API issued. */
export function socketUrl(ticket: { url?: string }): string {
  if (!ticket.url) throw new Error('the API gave no WebSocket URL');
  return ticket.url;
}

export class RealtimeConnection {
  #socket: WebSocket | undefined;
  #stopped = false;
  #failures = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;

  constructor(
    /** Asks the API for a ticket; answers the WebSocket URL with `?ticket=`. */
    private readonly openTicket: () => Promise<string>,
    private readonly handlers: RealtimeHandlers,
  ) {}

  start(): void {
    this.#stopped = false;
    void this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    this.#socket?.close(1000, 'console closed');
    this.#socket = undefined;
  }

  async #connect(): Promise<void> {
    this.handlers.onState?.('connecting');
    let url: string;
    try {
      url = await this.openTicket();
    } catch {
      this.#scheduleRetry();
      return;
    }
    if (this.#stopped) return;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#failures = 0;
      this.handlers.onState?.('open');
      clearInterval(this.#ping);
      this.#ping = setInterval(() => socket.send(JSON.stringify({ action: 'ping' })), PING_INTERVAL_MS);
    });
    socket.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      let frame: WsAnyServerFrame;
      try {
        frame = parseWsServerFrame(JSON.parse(message.data));
      } catch {
        return; // not JSON, or not a frame of the contract: never half-used
      }
      this.handlers.onFrame(frame);
    });
    socket.addEventListener('close', () => {
      clearInterval(this.#ping);
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.handlers.onState?.('closed');
      this.#scheduleRetry();
    });
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    this.#failures++;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.#failures, 6));
    this.#retry = setTimeout(() => void this.#connect(), delay);
  }
}
