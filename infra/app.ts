/**
 * CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). Context (`-c key=value` or `cdk.json`):
 * `resourcePrefix` (default `wa-`), `retainData` (default true), `manageApiGatewayAccountRole` (default true),
 * `consoleSource` (default `build`: `vite build` of the console; `placeholder` skips it).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppConfigSchema } from '../shared/config/app-config.js';
import { PlatformStack } from './platform-stack.js';

const app = new App();

/** `-c flag=false` arrives as the string "false"; `cdk.json` values arrive as booleans. */
function booleanContext(key: string, fallback: boolean): boolean {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return fallback;
  return value === true || value === 'true';
}

// The same rule the functions apply to APP_RESOURCE_PREFIX, so a bad prefix fails here and not at run time.
const resourcePrefix = AppConfigSchema.shape.APP_RESOURCE_PREFIX.parse(
  app.node.tryGetContext('resourcePrefix') ?? 'wa-',
);

new PlatformStack(app, 'WaPlatform', {
  description: 'Multi-tenant WhatsApp API platform: storage, messaging, HTTP and WebSocket control plane',
  resourcePrefix,
  retainData: booleanContext('retainData', true),
  manageApiGatewayAccountRole: booleanContext('manageApiGatewayAccountRole', true),
  consoleSource: app.node.tryGetContext('consoleSource') === 'placeholder' ? 'placeholder' : 'build',
  // Env-agnostic unless the CLI knows the account: synth must work without credentials.
  env: { account: process.env['CDK_DEFAULT_ACCOUNT'], region: process.env['CDK_DEFAULT_REGION'] },
});

// cdk-nag 3 is a policy-validation plugin (not an Aspect): it runs at synth and fails it on any finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
