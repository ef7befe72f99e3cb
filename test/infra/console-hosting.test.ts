/**
 * The console on AWS: private bucket behind CloudFront (OAC), the security headers and their CSP, the SPA
 * routing, the two deployments' caching, the HTTP API's CORS for the console origin only, and the output.
 * Synthesized without bundling, so `vite build` does not run here.
 */
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORS_ALLOW_HEADERS, corsMethods } from '../../infra/constructs/http-api-cors.js';
import type { PlatformStack } from '../../infra/platform-stack.js';
import { HTTP_ROUTES } from '../../shared/definitions/index.js';
import { buildStack } from './support.js';

let template: Template;
let stack: PlatformStack;

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

function logicalId(element: { node: { defaultChild?: unknown } }): string {
  return stack.resolve((element.node.defaultChild as CfnElement).logicalId) as string;
}

function resource(id: string): Resource {
  return template.toJSON()['Resources'][id] as Resource;
}

function ofType(type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** A CloudFormation value as text: `Fn::Join` joined, `Ref` and `Fn::GetAtt` as `<Id>` and `<Id.Attr>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const node = value as Record<string, unknown>;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(flatten).join(join[0]);
  const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  if (node['Ref'] !== undefined) return `<${String(node['Ref'])}>`;
  return JSON.stringify(value);
}

let distributionId: string;
let distributionConfig: Record<string, unknown>;
let httpApiId: string;
let wsApiId: string;

beforeAll(() => {
  ({ template, stack } = buildStack());
  distributionId = logicalId(stack.console.distribution);
  distributionConfig = resource(distributionId).Properties['DistributionConfig'] as Record<string, unknown>;
  httpApiId = logicalId(stack.controlPlane.httpApi);
  wsApiId = logicalId(stack.controlPlane.webSocketApi);
});

describe('bucket', () => {
  it('is private: public access blocked, SSE-S3, no website hosting, TLS only', () => {
    const bucket = resource(logicalId(stack.console.bucket));
    expect(bucket.Properties['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(bucket.Properties['BucketEncryption'])).toContain('"AES256"');
    expect(bucket.Properties['WebsiteConfiguration']).toBeUndefined();
    expect(bucket.Properties['LoggingConfiguration']).toBeDefined();
  });

  it("only CloudFront's service principal, for this distribution, may read it", () => {
    const bucketId = logicalId(stack.console.bucket);
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(
      ([, p]) => flatten(p.Properties['Bucket']) === `<${bucketId}>`,
    ) ?? ['', undefined];
    const statements = (policy?.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] })
      .Statement;
    const allows = statements.filter((s) => s['Effect'] === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]?.['Principal']).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0]?.['Action']).toBe('s3:GetObject');
    const condition = allows[0]?.['Condition'] as { StringEquals: Record<string, unknown> };
    expect(flatten(condition.StringEquals['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distributionId}>`,
    );
    // The TLS-only guard is the other statement.
    expect(statements.filter((s) => s['Effect'] === 'Deny')).toHaveLength(1);
  });
});

describe('distribution', () => {
  it('reads the bucket through origin access control (SigV4, always), not an OAI', () => {
    const [[oacId, oac]] = ofType('AWS::CloudFront::OriginAccessControl') as [[string, Resource]];
    expect(oac.Properties['OriginAccessControlConfig']).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [origin] = distributionConfig['Origins'] as Record<string, unknown>[];
    expect(flatten(origin?.['OriginAccessControlId'])).toBe(`<${oacId}.Id>`);
    expect(origin?.['S3OriginConfig']).toEqual({ OriginAccessIdentity: '' });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('redirects to HTTPS, speaks HTTP/2 and 3, logs, and puts the security headers on every behavior', () => {
    expect(distributionConfig['HttpVersion']).toBe('http2and3');
    expect(distributionConfig['Logging']).toBeDefined();
    const behaviors = [
      distributionConfig['DefaultCacheBehavior'],
      ...(distributionConfig['CacheBehaviors'] as unknown[]),
    ] as Record<string, unknown>[];
    expect(behaviors.map((b) => b['PathPattern'] ?? 'default')).toEqual(['default', 'console/assets/*']);
    const policyId = logicalId(stack.console.responseHeadersPolicy);
    for (const behavior of behaviors) {
      expect(behavior['ViewerProtocolPolicy']).toBe('redirect-to-https');
      expect(behavior['AllowedMethods']).toEqual(['GET', 'HEAD']);
      expect(flatten(behavior['ResponseHeadersPolicyId'])).toBe(`<${policyId}>`);
    }
  });

  it('falls back to console/index.html (200) for client-side routes', () => {
    expect(distributionConfig['CustomErrorResponses']).toEqual(
      [403, 404].map((code) =>
        expect.objectContaining({
          ErrorCode: code,
          ResponseCode: 200,
          ResponsePagePath: '/console/index.html',
        }),
      ),
    );
  });

  it('its entry function sends / to /console/ and serves index.html there, other paths untouched', () => {
    const [[, fn]] = ofType('AWS::CloudFront::Function') as [[string, Resource]];
    const handler = runInNewContext(`${String(fn.Properties['FunctionCode'])}; handler`) as (
      event: unknown,
    ) => {
      statusCode?: number;
      headers?: Record<string, { value: string }>;
      uri?: string;
    };
    const request = (uri: string) => handler({ request: { uri, headers: {} } });
    expect(request('/')).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
    expect(request('/console')).toMatchObject({ statusCode: 302 });
    expect(request('/console/')).toMatchObject({ uri: '/console/index.html' });
    expect(request('/console/assets/index-abc123.js')).toMatchObject({
      uri: '/console/assets/index-abc123.js',
    });
    expect(request('/console/sessions/s1')).toMatchObject({ uri: '/console/sessions/s1' });
  });
});

describe('security headers', () => {
  let config: Record<string, Record<string, unknown>>;
  beforeAll(() => {
    const policy = resource(logicalId(stack.console.responseHeadersPolicy));
    config = (policy.Properties['ResponseHeadersPolicyConfig'] as Record<string, unknown>)[
      'SecurityHeadersConfig'
    ] as Record<string, Record<string, unknown>>;
  });

  it('the CSP is exactly the strict one, its connect-src naming this HTTP API and this WebSocket API', () => {
    const csp = flatten(config['ContentSecurityPolicy']?.['ContentSecurityPolicy']);
    expect(csp).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        `connect-src 'self' <${httpApiId}.ApiEndpoint> <${wsApiId}.ApiEndpoint>`,
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    expect(csp).not.toMatch(/unsafe-|\*/);
    expect(config['ContentSecurityPolicy']?.['Override']).toBe(true);
  });

  it('HSTS, nosniff, DENY framing and no referrer, overriding whatever the origin says', () => {
    expect(config['StrictTransportSecurity']).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(Number(config['StrictTransportSecurity']?.['AccessControlMaxAgeSec'])).toBeGreaterThanOrEqual(
      31_536_000,
    );
    expect(config['ContentTypeOptions']).toEqual({ Override: true });
    expect(config['FrameOptions']).toEqual({ FrameOption: 'DENY', Override: true });
    expect(config['ReferrerPolicy']).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });
});

describe('deployment', () => {
  const deployments = (): Record<string, unknown>[] =>
    ofType('Custom::CDKBucketDeployment').map(([, d]) => d.Properties);

  it('hashed assets are cached for a year and kept; index.html and config.json are revalidated and replaced', () => {
    const byPrefix = deployments();
    expect(byPrefix.every((d) => d['DestinationBucketKeyPrefix'] === 'console/')).toBe(true);
    const assets = byPrefix.find((d) => JSON.stringify(d['Include']) === '["assets/*"]');
    expect(assets).toMatchObject({
      Exclude: ['*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    const entry = byPrefix.find((d) => JSON.stringify(d['Exclude']) === '["assets/*"]');
    expect(entry).toMatchObject({ Prune: true, SystemMetadata: { 'cache-control': 'no-cache' } });
  });

  it('config.json carries the HTTP API URL', () => {
    const entry = deployments().find((d) => d['SourceMarkers'] !== undefined);
    const markers = JSON.stringify(entry?.['SourceMarkers']);
    expect(markers).toContain(`"Fn::GetAtt":["${httpApiId}","ApiEndpoint"]`);
  });
});

describe('CORS on the HTTP API', () => {
  let cors: Record<string, unknown>;
  beforeAll(() => {
    const [[, rule]] = ofType('Custom::HttpApiCors') as [[string, Resource]];
    const create = JSON.parse(flatten(rule.Properties['Create'])) as {
      action: string;
      parameters: { ApiId: string; CorsConfiguration: Record<string, unknown> };
    };
    expect(create.action).toBe('UpdateApi');
    expect(create.parameters.ApiId).toBe(`<${httpApiId}>`);
    expect(flatten(rule.Properties['Update'])).toBe(flatten(rule.Properties['Create']));
    cors = create.parameters.CorsConfiguration;
  });

  it('allows the console origin only, without credentials', () => {
    expect(cors['AllowOrigins']).toEqual([`https://<${distributionId}.DomainName>`]);
    expect(cors['AllowCredentials']).toBe(false);
    // Nothing else sets CORS: the API resource declares none.
    expect(resource(httpApiId).Properties['CorsConfiguration']).toBeUndefined();
  });

  it("allows the API's methods and the headers it reads", () => {
    expect(cors['AllowMethods']).toEqual(corsMethods(HTTP_ROUTES.map((r) => r.routeKey)));
    expect(cors['AllowMethods']).toEqual(expect.arrayContaining(['DELETE', 'GET', 'PATCH', 'POST']));
    expect(cors['AllowHeaders']).toEqual([...CORS_ALLOW_HEADERS]);
    expect(cors['AllowHeaders']).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
    );
  });

  it('its function may only update that API and delete its CORS rule', () => {
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties['Roles']).includes('ConsoleCorsRole'))
      .flatMap(
        ([, p]) => (p.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((s) => String(s['Action']).startsWith('apigateway:'))
      .map((s) => `${String(s['Action'])} ${flatten(s['Resource'])}`);
    const api = `arn:<AWS::Partition>:apigateway:<AWS::Region>::/apis/<${httpApiId}>`;
    expect(statements.sort()).toEqual([`apigateway:DELETE ${api}/cors`, `apigateway:PATCH ${api}`]);
  });
});

describe('outputs', () => {
  it('ConsoleUrl is the distribution under /console/', () => {
    const outputs = template.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
    expect(flatten(outputs['ConsoleUrl']?.Value)).toBe(`https://<${distributionId}.DomainName>/console/`);
  });
});
