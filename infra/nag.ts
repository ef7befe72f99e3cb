/**
 * Helpers for cdk-nag 3 acknowledgments. cdk-nag 3 dropped `NagSuppressions`: a finding is acknowledged with
 * CDK's own `Validations.of(construct).acknowledge({ id, reason })`, one finding id at a time (there is no
 * prefix match, so `AwsSolutions-IAM5` alone does not cover `AwsSolutions-IAM5[Resource::...]`).
 */
import { CfnElement, Names, Stack, Validations } from 'aws-cdk-lib';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** Acknowledges one AwsSolutions rule (or one finding of it) on a construct and everything below it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

type CfnValue = string | number | boolean | null | undefined | CfnValue[] | { [key: string]: CfnValue };

/**
 * Flattens a token the way cdk-nag names a wildcard finding (`<Logical.Arn>/index/*`, `<AWS::Region>`), so a
 * suppression can name the exact resource it covers instead of silencing every wildcard on the policy.
 */
export function flattenForNag(scope: IConstruct, value: string): string {
  const stack = Stack.of(scope);
  const outside = parentElements(stack);
  /**
   * In a nested stack a reference to the parent's resource is a parameter, `referenceto<unique id><attribute>`
   * (CDK's naming), and cdk-nag names the finding after it.
   */
  const target = (logicalId: string, attribute: string): string | undefined => {
    const uniqueId = outside.get(logicalId);
    return uniqueId === undefined ? undefined : `<referenceto${uniqueId}${attribute}>`;
  };
  const visit = (node: CfnValue): string => {
    if (node === undefined || node === null) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (typeof node !== 'object' || Array.isArray(node)) return JSON.stringify(node);
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join;
      return Array.isArray(items)
        ? items.map(visit).join(typeof delimiter === 'string' ? delimiter : '')
        : '';
    }
    if (node['Fn::Sub'] !== undefined) return visit(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      return target(visit(getAtt[0]), visit(getAtt[1])) ?? `<${visit(getAtt[0])}.${visit(getAtt[1])}>`;
    }
    if (node['Ref'] !== undefined) return target(visit(node['Ref']), 'Ref') ?? `<${visit(node['Ref'])}>`;
    return JSON.stringify(node);
  };
  return visit(stack.resolve(value) as CfnValue);
}

/** For a nested stack: the logical id -> unique id of each resource of the stacks above it; empty otherwise. */
function parentElements(stack: Stack): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  for (let parent = stack.nestedStackParent; parent; parent = parent.nestedStackParent) {
    for (const construct of parent.node.findAll()) {
      if (!CfnElement.isCfnElement(construct) || Stack.of(construct) !== parent) continue;
      found.set(parent.resolve(construct.logicalId) as string, Names.nodeUniqueId(construct.node));
    }
  }
  return found;
}

/** Acknowledges `AwsSolutions-IAM5[Resource::<resource>]` for a resource given as a (possibly tokenised) ARN. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flattenForNag(scope, resource)}]`, reason);
}

/** Acknowledges `AwsSolutions-IAM5[Action::<action>]` for each wildcard action. */
export function acknowledgeWildcardActions(
  scope: IConstruct,
  actions: readonly string[],
  reason: string,
): void {
  for (const action of actions) acknowledge(scope, `AwsSolutions-IAM5[Action::${action}]`, reason);
}

/** Acknowledges `AwsSolutions-IAM4[Policy::<arn>]` for one AWS managed policy attached to `scope`. */
export function acknowledgeManagedPolicy(scope: IConstruct, policy: IManagedPolicy, reason: string): void {
  acknowledge(scope, `AwsSolutions-IAM4[Policy::${flattenForNag(scope, policy.managedPolicyArn)}]`, reason);
}

/** The wildcard actions of CDK's standard grant on a KMS-encrypted resource (`key.grantEncryptDecrypt`). */
export const KMS_GRANT_WILDCARD_ACTIONS = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'] as const;
