/**
 * CloudFormation refuses a template of more than 500 resources (parent and each nested stack are counted on their
 * own). The HTTP route functions live in nested stacks for that reason (docs/infra.md); every queue, rule and
 * function added to the parent brings it closer, so the limit is checked here, not found at deploy time.
 */
import type { Stack } from 'aws-cdk-lib';
import { NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack } from './support.js';

const CLOUDFORMATION_MAX_RESOURCES = 500;

describe('stack size', () => {
  it('the parent stack and each nested stack stay under CloudFormation’s 500 resources', () => {
    const { stack } = buildStack();
    const stacks = [stack, ...stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)];
    const counts = stacks.map((s: Stack) => ({
      stack: s.node.path,
      resources: Object.keys(Template.fromStack(s).toJSON().Resources ?? {}).length,
    }));
    expect(counts.length).toBeGreaterThan(1);
    for (const { stack: path, resources } of counts)
      expect(resources, `${path}: ${resources} resources`).toBeLessThanOrEqual(CLOUDFORMATION_MAX_RESOURCES);
  });
});
