/**
 * The simulator's media host: HTTPS on its own port, with a self-signed certificate made at start (valid for
 * 127.0.0.1, localhost and the listen address). A companion uploads an encrypted file as Baileys does
 * (`POST /mms/<type>/<encSha256 base64url>?auth=<media_conn auth>&token=<the same hash>`); the file goes to the
 * simulator's media store and the answer is `{url, direct_path}` as WhatsApp's. `GET /v/<id>` serves it back.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import { MEDIA_UPLOAD_MAX_BYTES } from '../world/media.js';
import type { World } from '../world/world.js';

export interface MediaCertificate {
  /** The certificate (PEM): what a client must trust. */
  readonly cert: string;
  readonly key: string;
}

/** A fresh self-signed server certificate (EC P-256, one day) for `host`, 127.0.0.1 and localhost. */
export const makeMediaCertificate = async (host: string): Promise<MediaCertificate> => {
  const names = new Set(['127.0.0.1', 'localhost', host]);
  const altNames = [...names].map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'WhatsApp simulator media host' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
};

export interface MediaHostDeps {
  readonly world: World;
  /** `host:port` the host is reached at (what `media_conn` advertises). */
  readonly hostname: () => string;
  readonly log: (msg: string, extra?: Record<string, unknown>) => void;
  readonly onUpload?: (upload: { id: string; mediaType: string; size: number }) => void;
}

const UPLOAD = /^\/mms\/(image|video|audio|document|md-app-state)\/([A-Za-z0-9_-]{43})$/;
const DOWNLOAD = /^\/v\/([0-9a-f]{32})$/;

const json = (res: ServerResponse, status: number, body: unknown, close = false): void => {
  res
    .writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) })
    .end(JSON.stringify(body));
};

/** Reads the body up to `max` bytes; undefined when it is larger (the rest is not read). */
const readBody = async (req: IncomingMessage, max: number): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
};

export const createMediaHostHandler =
  (deps: MediaHostDeps) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://media');
    const download = DOWNLOAD.exec(url.pathname);
    if (req.method === 'GET' && download) {
      const file = deps.world.media.get(download[1] ?? '');
      if (!file) {
        json(res, 404, { error: 'not_found' });
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length })
        .end(file);
      return;
    }
    const upload = UPLOAD.exec(url.pathname);
    if (req.method !== 'POST' || !upload) {
      req.resume();
      json(res, 404, { error: 'not_found' });
      return;
    }
    const [, mediaType = '', hash = ''] = upload;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MEDIA_UPLOAD_MAX_BYTES) {
      json(res, 413, { error: 'too_large', max: MEDIA_UPLOAD_MAX_BYTES }, true);
      req.destroy();
      return;
    }
    readBody(req, MEDIA_UPLOAD_MAX_BYTES).then(
      (body) => {
        if (!body) {
          json(res, 413, { error: 'too_large', max: MEDIA_UPLOAD_MAX_BYTES }, true);
          req.destroy();
          return;
        }
        if (!deps.world.mediaAuth.accepts(url.searchParams.get('auth'))) {
          deps.log('media upload refused: bad auth', { mediaType });
          json(res, 401, { error: 'unauthorized' });
          return;
        }
        const actual = createHash('sha256').update(body).digest('base64url');
        if (url.searchParams.get('token') !== hash || actual !== hash) {
          deps.log('media upload refused: hash mismatch', { mediaType });
          json(res, 400, { error: 'hash_mismatch' });
          return;
        }
        const id = deps.world.media.add(body);
        const directPath = `/v/${id}?ccb=11-4`;
        deps.onUpload?.({ id, mediaType, size: body.length });
        json(res, 200, { url: `https://${deps.hostname()}${directPath}&mms3=true`, direct_path: directPath });
      },
      (error: unknown) => {
        deps.log('media upload failed', { error: String(error) });
        if (!res.headersSent) json(res, 500, { error: 'internal' }, true);
      },
    );
  };
