/**
 * The browser console in local mode: `web/` served by the local HTTP gateway under `/console/` (same origin as
 * the API, so the page needs no CORS). `web/pairing.ts` is bundled with esbuild on first request (the
 * `qrcode` package and the shared frame schemas included) and kept in memory.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';

export const CONSOLE_PREFIX = '/console/';

/** Returns true when it answered the request; false lets the gateway route it as an API call. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

// The page loads only its own script and talks to the API (same origin) and the WebSocket API.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function bundleConsole(root: string): Promise<string> {
  const result = await build({
    entryPoints: [join(root, 'web', 'pairing.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no console bundle');
  return output.text;
}

export function createConsoleHandler(root: string): StaticHandler {
  let script: Promise<string> | undefined;
  return async (req, res) => {
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
    const file = path.slice(CONSOLE_PREFIX.length);
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (file === '' || file === 'index.html') {
      const html = await readFile(join(root, 'web', 'index.html'));
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CONTENT_SECURITY_POLICY,
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return true;
    }
    if (file === 'pairing.js') {
      script ??= bundleConsole(root).catch((error: unknown) => {
        script = undefined;
        throw error;
      });
      const body = await script;
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
    return true;
  };
}
