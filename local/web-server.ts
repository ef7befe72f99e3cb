/**
 * The browser console in local mode: the Vite build of `web/` served by the local HTTP gateway under
 * `/console/` (same origin as the API, so no CORS), with the headers CloudFront adds on AWS (strict CSP,
 * nosniff, no framing). Paths that are not files get `index.html` (the console routes in the browser), and
 * `config.json` tells the console its API is this same origin.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { ConsoleBuild } from './console-build.js';
import type { LocalLog } from './log.js';

export const CONSOLE_PREFIX = '/console/';

/** Returns true when it answered the request; false lets the gateway route it as an API call. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface ConsoleHandler {
  readonly handle: StaticHandler;
  stop(): Promise<void>;
}

/** The same policy the CDK stack's CloudFront response headers policy sets (connect-src: this origin). */
export const LOCAL_CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function createConsoleHandler(
  root: string,
  options: { watch?: boolean; log: LocalLog },
): ConsoleHandler {
  const consoleBuild = new ConsoleBuild({ root, watch: options.watch, log: options.log });
  const handle: StaticHandler = async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/console') {
      res.writeHead(308, { location: CONSOLE_PREFIX }).end();
      return true;
    }
    if (!path.startsWith(CONSOLE_PREFIX)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    const file = decodeURIComponent(path.slice(CONSOLE_PREFIX.length));
    if (file === 'config.json') {
      const body = JSON.stringify({ apiUrl: `http://${req.headers.host ?? 'localhost'}` });
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': TYPES['.json'],
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    const dist = await consoleBuild.ready();
    // A path with an extension names a file of the build; any other is a route of the console (index.html).
    const wantsFile = file !== '' && extname(file) !== '';
    const asset = wantsFile ? safeJoin(dist, file) : undefined;
    const body = asset ? await readFile(asset).catch(() => undefined) : undefined;
    if (wantsFile && !body) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found');
      return true;
    }
    const isIndex = body === undefined;
    const content = body ?? (await readFile(join(dist, 'index.html')));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[isIndex ? '.html' : extname(file)] ?? 'application/octet-stream',
      // Hashed file names under assets/ never change; index.html must be read fresh to find the new ones.
      'cache-control': file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
      ...(isIndex ? { 'content-security-policy': LOCAL_CONSOLE_CSP } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : content);
    return true;
  };
  return { handle, stop: () => consoleBuild.stop() };
}

/** `dist/<file>`, or undefined when the path would leave `dist` (`..`, absolute paths). */
function safeJoin(dist: string, file: string): string | undefined {
  const full = normalize(join(dist, file));
  return full.startsWith(dist + sep) ? full : undefined;
}
