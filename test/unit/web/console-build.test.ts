/**
 * The console's production build: what the first screen downloads stays within the 250 KB (gzip) budget, each
 * screen is a chunk of its own, and the HTML needs nothing the strict CSP forbids (no inline script or style).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIRST_SCREEN_BUDGET_BYTES = 250 * 1024;
const SCREENS = ['sessions', 'chats', 'webhooks', 'keys', 'events', 'overview'];

describe('console build', () => {
  let outDir: string;
  let html: string;
  let assets: string[];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'console-build-'));
    await build({
      configFile: new URL('../../../web/vite.config.ts', import.meta.url).pathname,
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    html = await readFile(join(outDir, 'index.html'), 'utf8');
    assets = await readdir(join(outDir, 'assets'));
  });
  afterAll(async () => rm(outDir, { recursive: true, force: true }));

  it('loads the first screen with at most 250 KB of JavaScript (gzip)', async () => {
    // What index.html loads before any screen: the entry script and the chunks it preloads.
    const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    let gzipped = 0;
    for (const script of scripts) gzipped += gzipSync(await readFile(join(outDir, script))).length;
    expect(gzipped).toBeLessThan(FIRST_SCREEN_BUDGET_BYTES);
    // No screen is in what the first paint loads: each comes when its route is opened.
    for (const screen of SCREENS) expect(scripts.join()).not.toContain(`${screen}-screen`);
  });

  it('splits every screen into its own chunk', () => {
    for (const screen of SCREENS) {
      expect(assets.some((a) => a.startsWith(`${screen}-screen`) && a.endsWith('.js'))).toBe(true);
    }
  });

  it('has no inline script or style for the CSP to refuse', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle="/);
  });
});
