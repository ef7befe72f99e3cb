/**
 * The simulator's media host: files a contact sends are encrypted the way WhatsApp clients encrypt them and kept
 * here, in memory, until the simulator stops; the control server serves them at `GET /media/<id>`.
 *
 * The encryption is Baileys' own `encryptedStream` (Utils/messages-media.js), in one piece: a random 32-byte
 * media key, expanded per media type (`getMediaKeys`) into iv, cipher key and MAC key; AES-256-CBC of the
 * plain bytes, followed by the first 10 bytes of HMAC-SHA256(macKey, iv || ciphertext). `fileSha256` hashes the
 * plain bytes, `fileEncSha256` the uploaded file (ciphertext and MAC).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { getMediaKeys } from '@whiskeysockets/baileys';

/** Largest upload the media host takes (its `maxContentLengthBytes`); a larger body gets 413. */
export const MEDIA_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;

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

/** What a message says about its file, to check the encrypted file against before decrypting it. */
export interface MediaFacts {
  readonly mediaKey: Uint8Array;
  readonly fileEncSha256?: Uint8Array | null;
  readonly fileSha256?: Uint8Array | null;
  readonly fileLength?: number | null;
}

/**
 * What a recipient's phone does with a downloaded file: checks `fileEncSha256`, then the MAC (first 10 bytes of
 * HMAC-SHA256(macKey, iv || ciphertext)), decrypts, and checks `fileSha256` and `fileLength` of the result.
 * Throws naming the first check that fails.
 */
export const decryptMedia = async (file: Buffer, kind: MediaKind, facts: MediaFacts): Promise<Buffer> => {
  const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
  const same = (a: Buffer, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);
  if (facts.fileEncSha256 && !same(sha256(file), facts.fileEncSha256))
    throw new Error('fileEncSha256 does not match the file');
  if (file.length < 10 + 16) throw new Error(`file too short (${file.length} bytes)`);
  const { iv, cipherKey, macKey } = await getMediaKeys(Buffer.from(facts.mediaKey), kind);
  if (!macKey) throw new Error(`no MAC key derived for ${kind}`);
  const ciphertext = file.subarray(0, -10);
  const mac = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, 10);
  if (!same(mac, file.subarray(-10)))
    throw new Error('MAC does not match (wrong media key or a damaged file)');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (facts.fileSha256 && !same(sha256(plain), facts.fileSha256))
    throw new Error('fileSha256 does not match the decrypted bytes');
  if (facts.fileLength !== undefined && facts.fileLength !== null && facts.fileLength !== plain.length)
    throw new Error(`fileLength ${facts.fileLength} but ${plain.length} bytes decrypted`);
  return plain;
};

/** The store id inside a media host path or URL: `/media/<id>` (contacts' files) or `/v/<id>` (uploads). */
export const mediaIdOf = (pathOrUrl: string): string | undefined => {
  let path = pathOrUrl;
  if (/^https?:\/\//.test(pathOrUrl)) {
    try {
      path = new URL(pathOrUrl).pathname;
    } catch {
      return undefined;
    }
  }
  return /^\/(?:v|media)\/([0-9a-f]{32})(?:[?.]|$)/.exec(path)?.[1];
};

/**
 * The upload side of the media host: the `auth` token `media_conn` hands out and uploads must carry. One token is
 * current at a time; `revoke()` replaces it, as WhatsApp's expiring auth does, so a client that cached the old
 * one is refused (401) until it asks `media_conn` again.
 */
export class MediaUploadAuth {
  private current = randomBytes(24).toString('base64url');

  get token(): string {
    return this.current;
  }

  accepts(token: string | null | undefined): boolean {
    if (!token) return false;
    const a = Buffer.from(token);
    const b = Buffer.from(this.current);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  revoke(): void {
    this.current = randomBytes(24).toString('base64url');
  }
}

/** Encrypted files by id (random, unguessable as WhatsApp's paths are), with when each was stored. */
export class MediaStore {
  private readonly files = new Map<string, { file: Buffer; storedAt: number; expired: boolean }>();

  add(file: Buffer): string {
    const id = randomBytes(16).toString('hex');
    this.files.set(id, { file, storedAt: Date.now(), expired: false });
    return id;
  }

  get(id: string): Buffer | undefined {
    return this.files.get(id)?.file;
  }

  /** Marks a file gone from the CDN (its bytes stay: the sender's phone still has them to re-upload). */
  expire(id: string): boolean {
    const entry = this.files.get(id);
    if (entry) entry.expired = true;
    return entry !== undefined;
  }

  /** Whether the CDN no longer serves `id`: expired explicitly, or stored more than `maxAgeMs` ago. */
  isExpired(id: string, maxAgeMs: number, now = Date.now()): boolean {
    const entry = this.files.get(id);
    return entry !== undefined && (entry.expired || now - entry.storedAt > maxAgeMs);
  }

  get size(): number {
    return this.files.size;
  }
}
