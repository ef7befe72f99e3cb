/**
 * How every Lambda function is bundled, in one place: `AppFunction` hands these settings to CDK's
 * NodejsFunction (which runs the local esbuild), and `bench/lambda-init.ts` hands the same settings to the
 * esbuild API, so the benchmark measures the bundles that ship.
 */
import type { BuildOptions } from 'esbuild';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Some dependencies still call require(); ESM has none, so the bundle gets one. */
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** Modules left out of the bundle, resolved at run time. */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = [];

/** The settings both consumers share. */
export const LAMBDA_BUNDLE = {
  // The code base is ESM (top-level await is allowed); CommonJS output would break on it.
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
} as const;

/** `NODE_OPTIONS` of every function: stack traces point into the TypeScript sources, via the source map. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** For NodejsFunction (`bundling`). */
export function cdkBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: LAMBDA_BUNDLE.banner,
    minify: LAMBDA_BUNDLE.minify,
    sourceMap: LAMBDA_BUNDLE.sourceMap,
    // Bundle the AWS SDK too: the pinned, tested versions run in Lambda, not whatever the runtime ships.
    externalModules: [...LAMBDA_EXTERNAL_MODULES],
    forceDockerBundling: false,
  };
}

/** For the esbuild API, as NodejsFunction calls it (one `index.mjs` per function). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourceMap,
    external: [...LAMBDA_EXTERNAL_MODULES],
    logLevel: 'error',
  };
}
