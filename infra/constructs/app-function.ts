/**
 * One Lambda function of the platform, bundled from its TypeScript entry with the local esbuild (no Docker),
 * with its own role and log group so each function gets exactly the grants its construct gives it.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { cdkBundling, LAMBDA_NODE_OPTIONS } from './lambda-bundling.js';

/** Maps a definitions `entry` (repository-relative module path without extension) to a file to bundle. */
export type EntryResolver = (entry: string) => string;

export interface FunctionSettings {
  /** The `APP_*` variables of `shared/config/app-config.ts`, common to every function. */
  readonly environment: Readonly<Record<string, string>>;
  readonly resolveEntry: EntryResolver;
  readonly serviceName: string;
  readonly logLevel: string;
  readonly logRetention: logs.RetentionDays;
  /** Encrypts function and access logs (the app data key; its policy admits CloudWatch Logs). */
  readonly logKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

export interface AppFunctionProps {
  readonly settings: FunctionSettings;
  readonly entry: string;
  readonly handler: string;
  readonly description: string;
  readonly timeout?: Duration;
  readonly memorySize?: number;
}

const DEFAULT_TIMEOUT = Duration.seconds(10);
const DEFAULT_MEMORY_MB = 512;

/** The repository root, found from this file (infra/constructs/ is two levels down). */
export const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '..', '..');

export const repositoryEntry: EntryResolver = (entry) => path.join(REPOSITORY_ROOT, `${entry}.ts`);

export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { settings } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetention,
      encryptionKey: settings.logKey,
      removalPolicy: settings.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: settings.resolveEntry(props.entry),
      handler: props.handler,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? DEFAULT_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...settings.environment,
        POWERTOOLS_SERVICE_NAME: settings.serviceName,
        POWERTOOLS_LOG_LEVEL: settings.logLevel,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
      bundling: cdkBundling(),
    });
  }
}
