/**
 * Builds the platform stack once per test file, with the same context as `cdk.json`. Handlers that other
 * engineers have not written yet are replaced by throw-away stand-ins, so the infra tests do not depend on the
 * order in which the code base fills up. NodejsFunction only bundles entries under the project root, so the
 * stand-ins go to `node_modules/.cache/` (inside the root, ignored by git, tsc and eslint), never next to code.
 */
import { App, NestedStack, type Stack } from 'aws-cdk-lib';
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
  return { app, stack, template: withNestedStacks(stack) };
}

/**
 * The stack's template with its nested stacks' resources (the HTTP route functions, `HttpRoutes<n>`) merged
 * in, as if they were the stack's own, so assertions see every resource the deployment creates: a nested
 * stack's parameters (references to the parent's resources) are replaced by the values the parent passes, and
 * the parent's reads of a nested stack's outputs by the outputs' values. Logical ids stay unique: each derives
 * from its construct path.
 */
function withNestedStacks(stack: Stack): Template {
  type Json = Record<string, Record<string, unknown>>;
  // A copy: `toJSON()` hands out the synthesized template itself, and merging into it would make the parent's
  // own template look 450 resources bigger to every later reader (stack-limits.test.ts).
  const json = structuredClone(Template.fromStack(stack).toJSON()) as Json;
  const nestedStacks = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  const outputs = new Map<string, unknown>();
  for (const nested of nestedStacks) {
    const part = Template.fromStack(nested).toJSON() as Json;
    const resourceId = stack.resolve(nested.nestedStackResource!.logicalId) as string;
    const passed = ((
      json['Resources']![resourceId] as { Properties?: { Parameters?: Record<string, unknown> } }
    ).Properties?.Parameters ?? {}) as Record<string, unknown>;
    const inlined = substitute(part['Resources'], (node) => {
      const ref = node['Ref'];
      return typeof ref === 'string' && ref in passed ? passed[ref] : undefined;
    }) as Record<string, unknown>;
    json['Resources'] = { ...json['Resources'], ...inlined };
    for (const [name, output] of Object.entries(part['Outputs'] ?? {})) {
      outputs.set(`${resourceId}.Outputs.${name}`, (output as { Value: unknown }).Value);
    }
  }
  json['Resources'] = substitute(json['Resources'], (node) => {
    const getAtt = node['Fn::GetAtt'];
    return Array.isArray(getAtt) ? outputs.get(`${String(getAtt[0])}.${String(getAtt[1])}`) : undefined;
  }) as Record<string, unknown>;
  return Template.fromJSON(json, { skipCyclicalDependenciesCheck: true });
}

/** A deep copy of `value` where every object `replace` gives a value for is swapped for that value. */
function substitute(value: unknown, replace: (node: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, replace));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  const replaced = replace(node);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, replace)]));
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
