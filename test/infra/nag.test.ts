/**
 * cdk-nag 3 reports through CDK's policy-validation framework, not through annotations, so
 * `Annotations.fromStack(...).findError('*', 'AwsSolutions-*')` would always be empty. The pack's own
 * `validateScope` returns the same findings `cdk synth` fails on.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlatformStack } from '../../infra/platform-stack.js';
import { buildStack, nagFindings } from './support.js';

let template: Template;
let stack: PlatformStack;

beforeAll(() => {
  ({ template, stack } = buildStack());
});

type Statement = { Effect: string; Action?: unknown; Resource?: unknown };

/** Every Allow statement of an identity or resource policy, with where it came from. */
function allowStatements(): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  const resources = template.toJSON()['Resources'] as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    const documents: unknown[] = [];
    if (
      [
        'AWS::IAM::Policy',
        'AWS::IAM::ManagedPolicy',
        'AWS::SQS::QueuePolicy',
        'AWS::S3::BucketPolicy',
      ].includes(resource.Type)
    ) {
      documents.push(props['PolicyDocument']);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (props['Policies'] as { PolicyDocument: unknown }[] | undefined) ?? []) {
        documents.push(policy.PolicyDocument);
      }
    }
    // Key policies are left out on purpose: in a key policy `Resource: "*"` means "this key" by definition.
    for (const document of documents) {
      for (const statement of (document as { Statement: Statement[] }).Statement) {
        if (statement.Effect === 'Allow') found.push({ where: `${resource.Type} ${id}`, statement });
      }
    }
  }
  return found;
}

describe('IAM', () => {
  it('has policies to inspect', () => {
    expect(allowStatements().length).toBeGreaterThan(5);
  });

  it('no Allow statement grants Action "*" or Resource "*"', () => {
    // Actions AWS only authorizes on Resource "*" (no resource-level permissions): the image pull's token.
    const resourceStarOnly = new Set(['ecr:GetAuthorizationToken']);
    const offenders = allowStatements().filter(({ statement }) => {
      const actions = [statement.Action].flat();
      const resources = [statement.Resource].flat();
      const required = actions.every((a) => typeof a === 'string' && resourceStarOnly.has(a));
      return actions.includes('*') || (resources.includes('*') && !required);
    });
    expect(offenders).toEqual([]);
  });

  it('no service-wide action wildcard (e.g. "s3:*") is allowed', () => {
    const offenders = allowStatements().filter(({ statement }) =>
      [statement.Action].flat().some((a) => typeof a === 'string' && a.endsWith(':*')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning on the stack', () => {
    const findings = nagFindings(stack);
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
  });

  it('does report a deliberate violation (the check is live)', () => {
    const probe = new Stack(new App(), 'Probe');
    new s3.Bucket(probe, 'Plain');
    const rules = nagFindings(probe).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
