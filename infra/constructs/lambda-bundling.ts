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

/**
 * Modules left out of the bundle, resolved at run time. The Node.js 24 runtime ships AWS SDK for JavaScript v3
 * (every `@aws-sdk/*` client and `@aws-sdk/lib-dynamodb`, with their `@smithy/*` dependencies), so bundling it
 * only made each function ~2x larger and slower to load. The runtime's SDK version is AWS's choice and moves
 * with runtime updates; it may be older or newer than our pins (docs/infra.md, "Lambda bundles", says why that is
 * acceptable and how to freeze it). Tests and the local cloud run the pinned versions.
 */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = ['@aws-sdk/*'];

/** The settings both consumers share. */
export const LAMBDA_BUNDLE = {
  // The code base is ESM (top-level await is allowed); CommonJS output would break on it.
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  // The map maps stack traces to file and line; the sources themselves would triple the deployment package.
  sourcesContent: false,
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
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
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
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    external: [...LAMBDA_EXTERNAL_MODULES],
    logLevel: 'error',
  };
}
