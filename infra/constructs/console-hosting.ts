/**
 * The console (`web/`, React + Vite) on AWS: a private S3 bucket read only by one CloudFront distribution through
 * origin access control, the Vite build deployed under `console/` with the runtime `console/config.json`, and a
 * response headers policy with a strict CSP whose `connect-src` names this stack's HTTP and WebSocket APIs.
 *
 * The HTTP API's CORS for the console origin is `HttpApiCors` (`http-api-cors.ts`): the CSP needs the API's
 * domain and the CORS rule needs the distribution's, so one of the two has to be applied after both exist.
 */
import {
  AssetHashType,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  Stack,
  type RemovalPolicy,
} from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { acknowledge, acknowledgeWildcardActions, acknowledgeWildcardResource } from '../nag.js';
import { REPOSITORY_ROOT } from './app-function.js';

/**
 * Where the console's files come from. `build` runs `vite build` locally when CDK stages the asset (synth and
 * deploy; skipped like every bundling step when a stack is synthesized without bundling). `placeholder` deploys a
 * one-line page instead: for tests that bundle the functions and must not run Vite, or a synth without `web/`.
 */
export type ConsoleSource = 'build' | 'placeholder';

export interface ConsoleHostingProps {
  readonly resourcePrefix: string;
  readonly httpApi: apigwv2.IHttpApi;
  readonly webSocketApi: apigwv2.IWebSocketApi;
  readonly source: ConsoleSource;
  /** The stack's server access log bucket (SSE-S3, ACLs disabled): the console bucket logs into it. */
  readonly accessLogsBucket: s3.IBucket;
  /** Encrypts the deployment function's logs (the app data key). */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The base path Vite builds for (`base` in `web/vite.config.ts`) and the key prefix in the bucket. */
export const CONSOLE_PATH = 'console';
export const VITE_CONFIG = 'web/vite.config.ts';

/** Vite puts every content-hashed file under `assets/`; anything else (index.html, public/ files) is not hashed. */
const HASHED_ASSETS = 'assets/*';
const IMMUTABLE = s3deploy.CacheControl.fromString('public, max-age=31536000, immutable');
/** Revalidated on every load (ETag), so a deploy shows at once without a CloudFront invalidation. */
const REVALIDATE = s3deploy.CacheControl.noCache();
/** How long CloudFront keeps the SPA fallback answer for a path before asking S3 again. */
const FALLBACK_CACHE_TTL = Duration.seconds(10);
const CDN_LOG_RETENTION_DAYS = 365;

/**
 * The CSP of every console response: scripts, styles and fonts from the console's own origin only (Vite emits
 * no inline script or style), images also as data:/blob: URLs (QR codes), and network calls to the console's
 * origin (`config.json`), this stack's HTTP API and its WebSocket API, nothing else.
 */
export function consoleContentSecurityPolicy(httpApiEndpoint: string, webSocketEndpoint: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${httpApiEndpoint} ${webSocketEndpoint}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Viewer-request function: `/` and `/console` redirect to `/console/`, which serves `console/index.html` (S3
 * has no directory index). Deep links (`/console/sessions/...`) fall back to index.html via the error responses.
 */
const ENTRY_FUNCTION_CODE = `function handler(event) {
  var uri = event.request.uri;
  if (uri === '/' || uri === '/${CONSOLE_PATH}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/${CONSOLE_PATH}/' } } };
  }
  if (uri === '/${CONSOLE_PATH}/') event.request.uri = '/${CONSOLE_PATH}/index.html';
  return event.request;
}
`;

const PLACEHOLDER_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Console</title><p>The console was not built for this deployment.</p>\n';

/**
 * Vite runs on the machine that synthesizes, like the functions' esbuild; the Docker image is only the fallback
 * CDK's API requires and is never used, since `tryBundle` either builds or throws.
 */
function consoleBuild(): s3deploy.ISource {
  return s3deploy.Source.asset(path.join(REPOSITORY_ROOT, 'web'), {
    // The console also imports shared/ code: hash the build output, not web/ alone.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir: string): boolean {
          if (!existsSync(path.join(REPOSITORY_ROOT, VITE_CONFIG))) {
            throw new Error(
              `${VITE_CONFIG} not found: the console cannot be built (synthesize with -c consoleSource=placeholder to skip it)`,
            );
          }
          // Vite's report goes to stderr: `cdk synth` prints the template on stdout.
          execFileSync(
            'npx',
            ['vite', 'build', '--config', VITE_CONFIG, '--outDir', outputDir, '--emptyOutDir'],
            { cwd: REPOSITORY_ROOT, stdio: ['ignore', process.stderr, 'inherit'] },
          );
          return true;
        },
      },
    },
  });
}

export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`: the only origin the HTTP API's CORS admits. */
  readonly origin: string;
  /** `https://<distribution domain>/console/` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const prefix = props.resourcePrefix;

    // No website hosting and no public access: CloudFront is the only reader (the policy the OAC origin adds).
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: `${CONSOLE_PATH}/`,
      removalPolicy: props.removalPolicy,
    });

    // CloudFront standard logs are written with ACLs, which the stack's access-log bucket disables: a bucket of
    // their own that accepts them, itself logged like every other bucket.
    const cdnLogs = new s3.Bucket(this, 'CdnLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: `${CONSOLE_PATH}-cdn-logs/`,
      lifecycleRules: [{ id: 'expire-cdn-logs', expiration: Duration.days(CDN_LOG_RETENTION_DAYS) }],
      removalPolicy: props.removalPolicy,
    });

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      // CloudFront names are global to the account: the prefix keeps two deployments apart.
      responseHeadersPolicyName: `${prefix}console-security-headers`,
      comment: 'Console: strict CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(
            props.httpApi.apiEndpoint,
            props.webSocketApi.apiEndpoint,
          ),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365 * 2),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
      originAccessControlName: `${prefix}console`,
      description: 'CloudFront reads the console bucket, signed (SigV4) on every request',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessControl,
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    const entryFunction = new cloudfront.Function(this, 'EntryFunction', {
      functionName: `${prefix}console-entry`,
      comment: 'Redirects / to /console/ and serves console/index.html there',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(ENTRY_FUNCTION_CODE),
    });
    const behavior = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      // Honours the objects' Cache-Control (set by the deployments below), at least 1 s at the edge.
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    } satisfies cloudfront.BehaviorOptions;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${prefix}console`,
      defaultBehavior: {
        ...behavior,
        functionAssociations: [
          { function: entryFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: { [`${CONSOLE_PATH}/${HASHED_ASSETS}`]: behavior },
      // Client-side routes: S3 answers 403 (no ListBucket) or 404 for a path that is no object.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: `/${CONSOLE_PATH}/index.html`,
        ttl: FALLBACK_CACHE_TTL,
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: cdnLogs,
      logFilePrefix: `${CONSOLE_PATH}/`,
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Tenants operate from anywhere; the console is static files, and what it shows comes from the API, which authenticates every call.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'The distribution serves only static files from S3 (GET/HEAD, no origin that runs code); the API it calls is throttled per stage and per tenant.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'No custom domain yet: the default *.cloudfront.net certificate cannot take a minimum TLS policy. A custom domain with an ACM certificate and TLSv1.2_2021 is the fix.',
    );

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/${CONSOLE_PATH}/`;

    this.deploy(props);
  }

  /**
   * Two deployments of the same build, for their Cache-Control: content-hashed assets cached for a year and never
   * pruned (an open tab still loads the chunks of the build it started with), everything else (index.html,
   * config.json, public/ files) revalidated on every load and replaced on each deploy.
   */
  private deploy(props: ConsoleHostingProps): void {
    const files =
      props.source === 'build' ? consoleBuild() : s3deploy.Source.data('index.html', PLACEHOLDER_PAGE);
    // The console reads its API from here at start; the same file the local gateway serves.
    const config = s3deploy.Source.jsonData('config.json', { apiUrl: props.httpApi.apiEndpoint });
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: props.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole (which may write to any log group), as every function;
    // both deployments run on the same CDK-provided function, so they share it.
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the console build into its bucket (execution role)',
    });
    logGroup.grantWrite(role);
    const common = {
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${CONSOLE_PATH}/`,
      logGroup,
      role,
      memoryLimit: 512,
    } satisfies Partial<s3deploy.BucketDeploymentProps>;

    const assets = new s3deploy.BucketDeployment(this, 'HashedAssets', {
      ...common,
      sources: [files],
      exclude: ['*'],
      include: [HASHED_ASSETS],
      prune: false,
      cacheControl: [IMMUTABLE],
    });
    const entry = new s3deploy.BucketDeployment(this, 'EntryFiles', {
      ...common,
      sources: [files, config],
      exclude: [HASHED_ASSETS],
      prune: true,
      cacheControl: [REVALIDATE],
    });
    // index.html names the hashed files: they go first.
    entry.node.addDependency(assets);
    this.acknowledgeDeployment(role);
  }

  private acknowledgeDeployment(role: iam.IRole): void {
    // The deployments run on one function CDK creates at stack level (`Custom::CDKBucketDeployment<uuid>...`).
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      acknowledge(
        child,
        'AwsSolutions-L1',
        "CDK's BucketDeployment function: its Python runtime (with the AWS CLI layer) is chosen and updated by aws-cdk-lib.",
      );
    }
    acknowledgeWildcardActions(
      role,
      ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'],
      "CDK's standard grants for the copy (aws s3 sync): read the asset bucket; list, read, write and prune the console bucket.",
    );
    acknowledgeWildcardResource(
      role,
      this.bucket.arnForObjects('*'),
      'The deployment replaces the console files, whose names (content hashes) are known only after the build.',
    );
    // Named from the stack, so it matches both an environment-agnostic synth (tokens) and one with a region.
    const stack = Stack.of(role);
    acknowledgeWildcardResource(
      role,
      `arn:${stack.partition}:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${stack.account}-${stack.region}/*`,
      "CDK's asset bucket: the build is uploaded there by cdk deploy under a content-hash key known only at deploy time; read only.",
    );
  }
}
