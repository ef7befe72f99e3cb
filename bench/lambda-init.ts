/**
 * Lambda module init: for every function of the stack, the time to import its bundle in a fresh Node process
 * (a cold start's init phase, less the runtime's own bootstrap), against a baseline in the same run: importing an
 * empty module in a fresh process. Each function is bundled with the very settings `AppFunction` gives CDK
 * (`infra/constructs/lambda-bundling.ts`) and run with the functions' `NODE_OPTIONS`. Prints JSON lines on
 * stdout (`side`: `meta`, `baseline`, one `function` per function, then `summary`); progress on stderr.
 *
 *   npx tsx bench/lambda-init.ts [--runs 5] [--only functions/http/health,...] [--node-options '']
 *
 * `--node-options` replaces the functions' `NODE_OPTIONS` (`--node-options=` runs without source maps), to show
 * what an option costs.
 *
 * Runs alternate (baseline, every function, baseline, ...) so load from other work on the machine spreads over
 * both sides. Bundles go under `node_modules/.cache/` (ignored by git, tsc and eslint); the AWS SDK, left out of
 * the bundles, resolves from the project's `node_modules` as it resolves from the runtime's on Lambda, so its load
 * time is part of the figure, as it is on Lambda.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { REPOSITORY_ROOT } from '../infra/constructs/app-function.js';
import { esbuildOptions, LAMBDA_NODE_OPTIONS } from '../infra/constructs/lambda-bundling.js';
import { HTTP_AUTHORIZER, HTTP_ROUTES, QUEUES, WS_ROUTES } from '../shared/definitions/index.js';
import { argument, emitMachine, percentile, progress, round } from './support/figures.js';

const BENCH = 'lambda-init';
const runs = Number(argument('runs', '5'));
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes an integer >= 1');
const only = argument('only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const nodeOptions = argument('node-options', LAMBDA_NODE_OPTIONS);

const WORK_DIR = path.join(REPOSITORY_ROOT, 'node_modules', '.cache', 'lambda-init', String(process.pid));

/** What CDK sets on every function (values are stand-ins: init must not call AWS). */
const FUNCTION_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  APP_RESOURCE_PREFIX: 'wa-bench-',
  APP_CREDENTIALS_BUCKET: 'wa-bench-credentials',
  APP_MEDIA_BUCKET: 'wa-bench-media',
  APP_KMS_KEY_ID: 'alias/wa-bench',
  APP_WS_CALLBACK_URL: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
  APP_SERVICE_NAME: 'wa-platform',
  APP_VERSION: 'bench',
  POWERTOOLS_SERVICE_NAME: 'wa-platform',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: nodeOptions,
};

/** Runs in the fresh process: the clock covers resolving, parsing and evaluating the module graph. */
const IMPORTER = `
const started = performance.now();
await import(process.env.BENCH_MODULE_URL);
const importMs = performance.now() - started;
process.stdout.write(JSON.stringify({ importMs, rssBytes: process.memoryUsage().rss }));
`;

const ChildResult = z.object({ importMs: z.number(), rssBytes: z.number() });
type Sample = z.infer<typeof ChildResult> & { processMs: number };

const run = promisify(execFile);

async function importInFreshProcess(file: string): Promise<Sample> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORTER], {
    env: { ...FUNCTION_ENV, PATH: process.env['PATH'] ?? '', BENCH_MODULE_URL: `file://${file}` },
  });
  const processMs = performance.now() - started;
  return { ...ChildResult.parse(JSON.parse(stdout)), processMs };
}

function functionEntries(): string[] {
  const entries = new Set<string>([
    HTTP_AUTHORIZER.entry,
    ...HTTP_ROUTES.map((r) => r.entry),
    ...WS_ROUTES.map((r) => r.entry),
    ...Object.values(QUEUES).flatMap((q) => (q.consumer ? [q.consumer.entry] : [])),
  ]);
  return [...entries].filter((e) => only.length === 0 || only.includes(e)).sort();
}

interface Bundle {
  readonly entry: string;
  readonly file: string;
  readonly bytes: number;
}

async function bundle(entry: string): Promise<Bundle> {
  const file = path.join(WORK_DIR, entry, 'index.mjs');
  await build(esbuildOptions(path.join(REPOSITORY_ROOT, `${entry}.ts`), file));
  return { entry, file, bytes: statSync(file).size };
}

function summary(samples: readonly Sample[]): Record<string, number> {
  const imports = samples.map((s) => s.importMs);
  return {
    importP50Ms: round(percentile(imports, 50)),
    importMinMs: round(Math.min(...imports)),
    importMaxMs: round(Math.max(...imports)),
    processP50Ms: round(
      percentile(
        samples.map((s) => s.processMs),
        50,
      ),
    ),
    rssP50MiB: round(
      percentile(
        samples.map((s) => s.rssBytes),
        50,
      ) /
        1024 /
        1024,
    ),
  };
}

function emitSide(side: string, figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, side, ...figures })}\n`);
}

async function main(): Promise<void> {
  emitMachine(BENCH);
  emitSide('meta', { nodeOptions, runs });
  mkdirSync(WORK_DIR, { recursive: true });
  try {
    const empty = path.join(WORK_DIR, 'empty.mjs');
    writeFileSync(empty, '');
    const entries = functionEntries();
    progress('bundling', { functions: entries.length });
    const bundles: Bundle[] = [];
    for (const entry of entries) bundles.push(await bundle(entry));

    const baseline: Sample[] = [];
    const byEntry = new Map<string, Sample[]>(bundles.map((b) => [b.entry, []]));
    for (let i = 0; i < runs; i++) {
      progress('run', { run: i + 1, of: runs });
      baseline.push(await importInFreshProcess(empty));
      for (const b of bundles) byEntry.get(b.entry)?.push(await importInFreshProcess(b.file));
    }

    const base = summary(baseline);
    emitSide('baseline', { what: 'import of an empty module', runs, ...base });
    const imports: number[] = [];
    for (const b of bundles) {
      const figures = summary(byEntry.get(b.entry) ?? []);
      imports.push(figures['importP50Ms'] ?? Number.NaN);
      emitSide('function', {
        entry: b.entry,
        bundleKiB: round(b.bytes / 1024, 1),
        runs,
        ...figures,
        importOverBaselineMs: round((figures['importP50Ms'] ?? 0) - (base['importP50Ms'] ?? 0)),
        processRatio: round((figures['processP50Ms'] ?? 0) / (base['processP50Ms'] ?? 1)),
      });
    }
    const sizes = bundles.map((b) => b.bytes / 1024);
    emitSide('summary', {
      functions: bundles.length,
      bundleKiBMax: round(Math.max(...sizes), 1),
      bundleKiBMedian: round(percentile(sizes, 50), 1),
      importP50MsMedian: round(percentile(imports, 50)),
      importP50MsMax: round(Math.max(...imports)),
      baselineImportP50Ms: base['importP50Ms'],
      baselineProcessP50Ms: base['processP50Ms'],
    });
  } finally {
    rmSync(WORK_DIR, { recursive: true, force: true });
  }
}

await main();
