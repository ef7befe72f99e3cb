import { NOISE_WA_HEADER } from '@whiskeysockets/baileys';

/** Prefixes a payload with WhatsApp's 3-byte big-endian length. */
export const frame = (payload: Uint8Array): Buffer => {
  const out = Buffer.alloc(3 + payload.length);
  out[0] = (payload.length >>> 16) & 0xff;
  out[1] = (payload.length >>> 8) & 0xff;
  out[2] = payload.length & 0xff;
  out.set(payload, 3);
  return out;
};

/**
 * Splits the client's byte stream into frames. The very first bytes carry the WA intro header, optionally
 * preceded by an `ED` routing-info block (Baileys sends one once the server has given it routing info).
 */
export class FrameReader {
  private pending = Buffer.alloc(0);
  private introSeen = false;
  /** The exact intro header the client sent; the Noise transcript hash starts with it. */
  introHeader: Buffer = Buffer.from(NOISE_WA_HEADER);

  push(data: Buffer): Buffer[] {
    let buf = data;
    if (!this.introSeen) {
      this.introSeen = true;
      if (buf.subarray(0, 2).toString('latin1') === 'ED') {
        const routingLength = ((buf[4] ?? 0) << 16) | buf.readUInt16BE(5);
        buf = buf.subarray(7 + routingLength);
      }
      const header = buf.subarray(0, 4);
      if (!header.equals(NOISE_WA_HEADER)) {
        throw new Error(`bad WA intro header ${header.toString('hex')}`);
      }
      this.introHeader = Buffer.from(header);
      buf = buf.subarray(4);
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, buf]) : Buffer.from(buf);
    const frames: Buffer[] = [];
    while (this.pending.length >= 3) {
      const size = ((this.pending[0] ?? 0) << 16) | ((this.pending[1] ?? 0) << 8) | (this.pending[2] ?? 0);
      if (this.pending.length < size + 3) break;
      frames.push(Buffer.from(this.pending.subarray(3, size + 3)));
      this.pending = this.pending.subarray(size + 3);
    }
    return frames;
  }
}
