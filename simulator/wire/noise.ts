import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  hkdf,
  NOISE_MODE,
  proto,
  sha256,
} from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import { frame } from './frames.js';
import type { BinaryNode } from './nodes.js';

const EMPTY = Buffer.alloc(0);

const nonce = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};

export interface HandshakeResult {
  clientStaticKey: Buffer;
  clientPayload: proto.ClientPayload;
}

/**
 * Responder side of Noise_XX_25519_AESGCM_SHA256 as WhatsApp Web uses it; each step mirrors Baileys'
 * noise-handler so that both transcripts hash the same bytes in the same order.
 */
export class NoiseServer {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private ephemeral: KeyPair | undefined;
  private transport: { enc: Buffer; dec: Buffer; read: number; write: number } | undefined;

  constructor(
    private readonly serverStatic: KeyPair,
    private readonly certChain: Buffer,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
  }

  get isTransportReady(): boolean {
    return this.transport !== undefined;
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixIntoKey(data: Uint8Array): void {
    const k = Buffer.from(hkdf(Buffer.from(data), 64, { salt: this.salt, info: '' }));
    this.salt = k.subarray(0, 32);
    this.key = k.subarray(32);
    this.counter = 0;
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const c = aesEncryptGCM(plaintext, this.key, nonce(this.counter++), this.hash);
    this.authenticate(c);
    return c;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const p = aesDecryptGCM(ciphertext, this.key, nonce(this.counter++), this.hash);
    this.authenticate(ciphertext);
    return p;
  }

  /** ClientHello in, framed ServerHello out. */
  onClientHello(introHeader: Buffer, data: Buffer): Buffer {
    const { clientHello } = proto.HandshakeMessage.decode(data);
    if (!clientHello?.ephemeral) throw new Error('expected clientHello');
    const clientEphemeral = Buffer.from(clientHello.ephemeral);
    this.authenticate(introHeader);
    this.authenticate(clientEphemeral);
    const ephemeral = Curve.generateKeyPair();
    this.ephemeral = ephemeral;
    this.authenticate(ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(ephemeral.private, clientEphemeral));
    const staticEncrypted = this.encrypt(this.serverStatic.public);
    this.mixIntoKey(Curve.sharedKey(this.serverStatic.private, clientEphemeral));
    const payload = this.encrypt(this.certChain);
    const hello = proto.HandshakeMessage.encode({
      serverHello: { ephemeral: ephemeral.public, static: staticEncrypted, payload },
    }).finish();
    return frame(hello);
  }

  /** ClientFinish in; switches to transport keys and returns who the client says it is. */
  onClientFinish(data: Buffer): HandshakeResult {
    const { clientFinish } = proto.HandshakeMessage.decode(data);
    if (!clientFinish?.static || !clientFinish.payload || !this.ephemeral)
      throw new Error('expected clientFinish');
    const clientStaticKey = this.decrypt(clientFinish.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientStaticKey));
    const clientPayload = proto.ClientPayload.decode(this.decrypt(clientFinish.payload));
    const k = Buffer.from(hkdf(EMPTY, 64, { salt: this.salt, info: '' }));
    // The client writes with the first half and reads with the second; we are its mirror.
    this.transport = { dec: k.subarray(0, 32), enc: k.subarray(32), read: 0, write: 0 };
    return { clientStaticKey: Buffer.from(clientStaticKey), clientPayload };
  }

  async decodeNode(data: Buffer): Promise<BinaryNode> {
    if (!this.transport) throw new Error('noise transport not ready');
    const plaintext = aesDecryptGCM(data, this.transport.dec, nonce(this.transport.read++), EMPTY);
    return decodeBinaryNode(plaintext);
  }

  /** Must be called in wire order: the write counter is the GCM nonce. */
  encodeNode(n: BinaryNode): Buffer {
    if (!this.transport) throw new Error('noise transport not ready');
    const ciphertext = aesEncryptGCM(
      encodeBinaryNode(n),
      this.transport.enc,
      nonce(this.transport.write++),
      EMPTY,
    );
    return frame(ciphertext);
  }
}
