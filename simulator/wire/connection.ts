import type { WebSocket } from 'ws';
import type { KeyPair } from '@whiskeysockets/baileys';
import { FrameReader } from './frames.js';
import { NoiseServer } from './noise.js';
import type { HandshakeResult } from './noise.js';
import type { BinaryNode } from './nodes.js';

export type Direction = 'in' | 'out';

/** What the protocol layer plugs into a connection; the wire layer knows nothing about accounts or flows. */
export interface ConnectionHandler {
  onHandshake(conn: ClientConnection, result: HandshakeResult): Promise<void>;
  onNode(conn: ClientConnection, node: BinaryNode): Promise<void>;
  onStanza(conn: ClientConnection, direction: Direction, node: BinaryNode): void;
  onClose(conn: ClientConnection): void;
  onError(conn: ClientConnection, err: unknown): void;
  /** Extra latency to put in front of the next outgoing frame (fault injection). */
  outgoingDelayMs(conn: ClientConnection): number;
}

let nextConnectionId = 1;

/**
 * One client WebSocket: Noise handshake, then decrypted stanzas in and encrypted stanzas out. Incoming frames
 * are handled one at a time, in order, as the real server does per socket; outgoing ones go through a chain so
 * that an injected delay never reorders them (the Noise write counter is the nonce).
 */
export class ClientConnection {
  readonly id = nextConnectionId++;
  private readonly reader = new FrameReader();
  private readonly noise: NoiseServer;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private phase: 'hello' | 'finish' | 'open' = 'hello';
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    serverStatic: KeyPair,
    certChain: Buffer,
    private readonly handler: ConnectionHandler,
  ) {
    this.noise = new NoiseServer(serverStatic, certChain);
    ws.on('message', (data: Buffer) => {
      this.inbound = this.inbound.then(() => this.onData(data)).catch((err: unknown) => this.fail(err));
    });
    ws.on('close', () => {
      this.closed = true;
      this.handler.onClose(this);
    });
    ws.on('error', (err) => this.handler.onError(this, err));
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  private fail(err: unknown): void {
    this.handler.onError(this, err);
    this.terminate();
  }

  private async onData(data: Buffer): Promise<void> {
    if (this.closed) return;
    for (const frame of this.reader.push(data)) {
      if (this.phase === 'hello') {
        this.ws.send(this.noise.onClientHello(this.reader.introHeader, frame));
        this.phase = 'finish';
      } else if (this.phase === 'finish') {
        const result = this.noise.onClientFinish(frame);
        this.phase = 'open';
        await this.handler.onHandshake(this, result);
      } else {
        const n = await this.noise.decodeNode(frame);
        this.handler.onStanza(this, 'in', n);
        await this.handler.onNode(this, n);
      }
    }
  }

  /** Resolves once the stanza is on the socket (or dropped because the socket is gone). */
  send(n: BinaryNode): Promise<void> {
    const delay = this.handler.outgoingDelayMs(this);
    this.outbound = this.outbound
      .then(async () => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (!this.isOpen) return;
        this.handler.onStanza(this, 'out', n);
        this.ws.send(this.noise.encodeNode(n));
      })
      .catch((err: unknown) => this.handler.onError(this, err));
    return this.outbound;
  }

  /** Sends the last stanzas, then closes the socket the way the server ends a stream. */
  async end(...last: BinaryNode[]): Promise<void> {
    for (const n of last) void this.send(n);
    await this.outbound;
    if (this.isOpen) this.ws.close();
  }

  /** Drops the TCP connection without a goodbye, like a network failure. */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
