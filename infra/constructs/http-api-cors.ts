/**
 * CORS on the HTTP API for the console's origin only, applied by a custom resource (`UpdateApi`) once both the API
 * and the console's distribution exist.
 *
 * Why not `corsPreflight` on the `HttpApi`: the console's CSP (a response headers policy the distribution uses)
 * names the API's domain, so the distribution depends on the API; a CORS rule on the API resource naming the
 * distribution's domain would make the API depend on the distribution, a cycle CloudFormation refuses. This
 * resource depends on both and sets the rule afterwards; the API resource itself never declares CORS, so
 * CloudFormation never overwrites it. Deleting the resource removes the rule.
 */
import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * Request headers a browser may send: the API key (`functions/http/authorizer.ts`), the body's type
 * (`middleware/json-body.ts`, `raw-body.ts`) and the send route's `Idempotency-Key` (`messages/send.ts`).
 */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'] as const;

/**
 * Response headers the console may read beyond the CORS-safelisted ones: `Location` of a 201, the tenant guard's
 * rate-limit state (`shared/services/rate-limit.ts`) and `Retry-After` of a 429.
 */
export const CORS_EXPOSE_HEADERS = [
  'location',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
] as const;

/** Browsers cache a preflight answer this long (Chromium caps it at 2 h). */
export const CORS_MAX_AGE = Duration.hours(1);

/** The HTTP methods of a set of route keys (`GET /v1/...`); `$default` and other non-method keys are skipped. */
export function corsMethods(routeKeys: Iterable<string>): string[] {
  const methods = new Set<string>();
  for (const key of routeKeys) {
    const method = key.split(' ')[0] ?? '';
    if (/^[A-Z]+$/.test(method)) methods.add(method);
  }
  return [...methods].sort();
}

export interface HttpApiCorsProps {
  readonly httpApi: apigwv2.IHttpApi;
  /** Exact origins (`https://<domain>`); never `*`. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class HttpApiCors extends Construct {
  /** The `CorsConfiguration` sent to `UpdateApi` (API Gateway's field names). */
  readonly corsConfiguration: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: HttpApiCorsProps) {
    super(scope, id);
    const apiId = props.httpApi.apiId;
    this.corsConfiguration = {
      AllowOrigins: [...props.allowOrigins],
      AllowMethods: [...props.allowMethods],
      AllowHeaders: [...CORS_ALLOW_HEADERS],
      ExposeHeaders: [...CORS_EXPOSE_HEADERS],
      MaxAge: CORS_MAX_AGE.toSeconds(),
      // API keys travel in the Authorization header, never in cookies.
      AllowCredentials: false,
    };

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: props.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole (which may write to any log group), as every function.
    // AwsCustomResource runs on one function per stack: another AwsCustomResource here would share this role and
    // add its grants to it, so give such a resource its own provider (or pass this role knowingly).
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Sets the HTTP API CORS rule for the console origin (execution role)',
    });
    logGroup.grantWrite(role);

    const apiArn = `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/apis/${apiId}`;
    const setRule: cr.AwsSdkCall = {
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: { ApiId: apiId, CorsConfiguration: this.corsConfiguration },
      physicalResourceId: cr.PhysicalResourceId.of(`${apiId}-cors`),
      // The answer is the whole API description; nothing of it is needed (and responses are capped at 4 KB).
      outputPaths: ['ApiId'],
    };
    new cr.AwsCustomResource(this, 'Rule', {
      resourceType: 'Custom::HttpApiCors',
      onCreate: setRule,
      onUpdate: setRule,
      onDelete: {
        service: 'ApiGatewayV2',
        action: 'DeleteCorsConfiguration',
        parameters: { ApiId: apiId },
        // The API may already be gone (replaced, or deleted with the stack).
        ignoreErrorCodesMatching: 'NotFoundException',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['apigateway:PATCH'], resources: [apiArn] }),
        new iam.PolicyStatement({ actions: ['apigateway:DELETE'], resources: [`${apiArn}/cors`] }),
      ]),
      role,
      logGroup,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });
  }
}
