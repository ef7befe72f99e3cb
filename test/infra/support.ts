/**
 * Builds the platform stack once per test file, with the same context as `cdk.json`. Handlers that other
 * engineers have not written yet are replaced by throw-away stand-ins, so the infra tests do not depend on the
 * order in which the code base fills up. NodejsFunction only bundles entries under the project root, so the
 * stand-ins go to `node_modules/.cache/` (inside the root, ignored by git, tsc and eslint), never next to code.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_ROOT, type EntryResolver } from '../../infra/constructs/app-function.js';
import { PlatformStack, type PlatformStackProps } from '../../infra/platform-stack.js';

export const TEST_PREFIX = 'wa-test-';

const STAND_IN = `export const handler = async () => ({ statusCode: 200, body: 'stand-in' });\n`;

const STAND_IN_ROOT = path.join(REPOSITORY_ROOT, 'node_modules', '.cache', 'infra-standins');

/**
 * Real handler when it exists, otherwise a stand-in exporting `handler` (enough for bundling). Test files run
 * in parallel processes and may write the same stand-in at once, so each write is a rename (atomic).
 */
export function entryResolver(): EntryResolver {
  return (entry) => {
    const real = path.join(REPOSITORY_ROOT, `${entry}.ts`);
    if (existsSync(real)) return real;
    const file = path.join(STAND_IN_ROOT, `${entry}.ts`);
    mkdirSync(path.dirname(file), { recursive: true });
    const scratch = `${file}.${process.pid}.tmp`;
    writeFileSync(scratch, STAND_IN);
    renameSync(scratch, file);
    return file;
  };
}

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface Built {
  readonly app: App;
  readonly stack: PlatformStack;
  readonly template: Template;
}

/**
 * `customize` runs before synthesis, e.g. to attach a future consumer of one of the stack's helpers. `bundle`
 * runs esbuild for every function, as `cdk synth` does: a minute of CPU per build on 2 cores, so only the test
 * file that checks the bundles asks for it (control-plane.test.ts); the others read the template alone.
 */
export function buildStack(
  overrides: Partial<PlatformStackProps> = {},
  customize?: (stack: PlatformStack) => void,
  options: { readonly bundle?: boolean } = {},
): Built {
  const context = cdkJsonContext();
  const app = new App({
    context: options.bundle ? context : { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new PlatformStack(app, 'WaPlatformTest', {
    resourcePrefix: TEST_PREFIX,
    retainData: true,
    manageApiGatewayAccountRole: true,
    resolveEntry: entryResolver(),
    // A bundling synth would run `vite build` for the console: no infra test builds it.
    ...(options.bundle ? { consoleSource: 'placeholder' as const } : {}),
    ...overrides,
  });
  customize?.(stack);
  return { app, stack, template: Template.fromStack(stack) };
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
}

/** Runs the AwsSolutions pack the way synth does, returning every unacknowledged finding. */
export function nagFindings(stack: Stack): NagFinding[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    paths: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? '?'),
  }));
}
