/**
 * Builds a benchmark child the way the production image builds the host: one ESM bundle with esbuild, with the
 * same options as `session-host/Dockerfile` (keep the two in step), run by plain Node without tsx. The bundle
 * goes under `node_modules/.cache/` (ignored by git, tsc and eslint).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const DOCKERFILE_EXTERNALS = [
  'sharp',
  'jimp',
  'link-preview-js',
  'audio-decode',
  'bufferutil',
  'utf-8-validate',
] as const;

export async function bundleChild(script: string): Promise<string> {
  const entry = fileURLToPath(new URL(`../children/${script}`, import.meta.url));
  const outfile = fileURLToPath(
    new URL(`../../node_modules/.cache/bench-bundles/${script.replace(/\.ts$/, '.mjs')}`, import.meta.url),
  );
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    sourcemap: true,
    legalComments: 'none',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    external: [...DOCKERFILE_EXTERNALS],
    logLevel: 'error',
  });
  return outfile;
}
