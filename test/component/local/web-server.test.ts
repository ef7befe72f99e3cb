/**
 * The local console server over real HTTP: the Vite build under `/console/`, `index.html` for the browser's
 * routes with the CloudFront headers (strict CSP), `config.json` naming this origin, and nothing outside the
 * build reachable.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROOT } from '../../../local/http-gateway.js';
import { silentLog } from '../../../local/log.js';
import { createConsoleHandler, LOCAL_CONSOLE_CSP, type ConsoleHandler } from '../../../local/web-server.js';

describe('local console server', () => {
  let server: Server;
  let handler: ConsoleHandler;
  let base: string;

  beforeAll(async () => {
    handler = createConsoleHandler(DEFAULT_ROOT, { log: silentLog });
    server = createServer((req, res) => {
      void handler.handle(req, res).then((answered) => {
        if (!answered) res.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await handler.stop();
  });

  it('serves index.html for the console and its client-side routes, with the strict CSP', async () => {
    for (const path of ['/console/', '/console/chats/01ABC/%2B15550001111']) {
      const response = await fetch(base + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('content-security-policy')).toBe(LOCAL_CONSOLE_CSP);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(await response.text()).toContain('<div id="root">');
    }
    expect(LOCAL_CONSOLE_CSP).not.toContain('unsafe');
  });

  it('serves the hashed assets it links, cacheable forever, and 404 for others', async () => {
    const html = await (await fetch(`${base}/console/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(base + script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/nope.js`)).status).toBe(404);
    // Out of the build directory: refused, never read.
    expect((await fetch(`${base}/console/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('tells the console its API is this origin, and leaves other paths to the API', async () => {
    const config = await fetch(`${base}/console/config.json`);
    expect(await config.json()).toEqual({ apiUrl: base });
    expect((await fetch(`${base}/v1/health`)).status).toBe(418);
    expect((await fetch(`${base}/console/`, { method: 'POST' })).status).toBe(405);
  });
});
