/**
 * The simulator's media host: files a contact sends are encrypted the way WhatsApp clients encrypt them and kept
 * here, in memory, until the simulator stops; the control server serves them at `GET /media/<id>`.
 *
 * The encryption is Baileys' own `encryptedStream` (Utils/messages-media.js), in one piece: a random 32-byte
 * media key, expanded per media type (`getMediaKeys`) into iv, cipher key and MAC key; AES-256-CBC of the
 * plain bytes, followed by the first 10 bytes of HMAC-SHA256(macKey, iv || ciphertext). `fileSha256` hashes the
 * plain bytes, `fileEncSha256` the uploaded file (ciphertext and MAC).
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { getMediaKeys } from '@whiskeysockets/baileys';

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

export interface EncryptedMedia {
  /** Ciphertext followed by the 10-byte MAC: what a media host stores and serves. */
  readonly file: Buffer;
  readonly mediaKey: Buffer;
  readonly fileSha256: Buffer;
  readonly fileEncSha256: Buffer;
  /** Length of the plain bytes. */
  readonly fileLength: number;
}

/** Encrypts `plain` as a WhatsApp client does before uploading it (keys derived for `kind`). */
export const encryptMedia = async (
  plain: Buffer,
  kind: MediaKind,
  mediaKey: Buffer = randomBytes(32),
): Promise<EncryptedMedia> => {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, kind);
  if (!macKey) throw new Error(`no MAC key derived for ${kind}`);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, 10);
  const file = Buffer.concat([ciphertext, mac]);
  return {
    file,
    mediaKey,
    fileSha256: createHash('sha256').update(plain).digest(),
    fileEncSha256: createHash('sha256').update(file).digest(),
    fileLength: plain.length,
  };
};

/** Encrypted files by id (random, unguessable as WhatsApp's paths are). */
export class MediaStore {
  private readonly files = new Map<string, Buffer>();

  add(file: Buffer): string {
    const id = randomBytes(16).toString('hex');
    this.files.set(id, file);
    return id;
  }

  get(id: string): Buffer | undefined {
    return this.files.get(id);
  }

  get size(): number {
    return this.files.size;
  }
}
