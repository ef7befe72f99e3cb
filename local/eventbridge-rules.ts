/**
 * Rules added at run time with the real API (`PutRule`, `PutTargets`, `RemoveTargets`, `DeleteRule`), as a
 * tenant's own subscription to the bus would be on AWS (DESIGN.md section 3: subscribers add their own rules,
 * filtering on `detail.tenantId`). Only SQS targets are supported: the local cloud has no other target kind.
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { EventPattern } from '../shared/definitions/event-rules.js';
import { LOCAL_ACCOUNT_ID } from './local-aws.js';

export const PutRuleRequestSchema = z.object({
  Name: z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'Name must be 1-64 of [.-_A-Za-z0-9]'),
  EventPattern: z.string().min(2),
  EventBusName: z.string().optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  Description: z.string().optional(),
});

export const PutTargetsRequestSchema = z.object({
  Rule: z.string().min(1),
  EventBusName: z.string().optional(),
  Targets: z
    .array(z.object({ Id: z.string().min(1).max(64), Arn: z.string().min(1) }))
    .min(1)
    .max(5),
});

export const RemoveTargetsRequestSchema = z.object({
  Rule: z.string().min(1),
  EventBusName: z.string().optional(),
  Ids: z.array(z.string()).min(1),
});

export const DeleteRuleRequestSchema = z.object({
  Name: z.string().min(1),
  EventBusName: z.string().optional(),
});

interface DynamicRule {
  readonly pattern: EventPattern;
  readonly enabled: boolean;
  /** Target id -> queue URL. */
  readonly targets: Map<string, string>;
}

/** A request the real service would refuse; the server answers 400 with this `__type`. */
export class RuleRequestError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class DynamicRules {
  private readonly rules = new Map<string, DynamicRule>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly region: string,
  ) {}

  /** Rules that are enabled, with their target queue URLs. */
  enabled(): { name: string; pattern: EventPattern; queueUrls: string[] }[] {
    return [...this.rules]
      .filter(([, rule]) => rule.enabled)
      .map(([name, rule]) => ({ name, pattern: rule.pattern, queueUrls: [...rule.targets.values()] }));
  }

  putRule(request: z.infer<typeof PutRuleRequestSchema>, busName: string): { RuleArn: string } {
    let pattern: unknown;
    try {
      pattern = JSON.parse(request.EventPattern);
    } catch {
      throw new RuleRequestError('InvalidEventPatternException', 'Event pattern is not valid JSON.');
    }
    if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
      throw new RuleRequestError('InvalidEventPatternException', 'Event pattern must be a JSON object.');
    }
    const existing = this.rules.get(request.Name);
    this.rules.set(request.Name, {
      pattern: pattern as EventPattern,
      enabled: (request.State ?? 'ENABLED') === 'ENABLED',
      targets: existing?.targets ?? new Map(),
    });
    return { RuleArn: `arn:aws:events:${this.region}:${LOCAL_ACCOUNT_ID}:rule/${busName}/${request.Name}` };
  }

  async putTargets(request: z.infer<typeof PutTargetsRequestSchema>) {
    const rule = this.rules.get(request.Rule);
    if (!rule)
      throw new RuleRequestError('ResourceNotFoundException', `Rule ${request.Rule} does not exist.`);
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const target of request.Targets) {
      const arn = target.Arn.split(':');
      if (arn[2] !== 'sqs' || arn.length !== 6) {
        failed.push({
          TargetId: target.Id,
          ErrorCode: 'ValidationException',
          ErrorMessage: 'The local bus supports SQS queue targets only.',
        });
        continue;
      }
      try {
        const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: arn[5] }));
        if (!QueueUrl) throw new Error('no queue URL');
        rule.targets.set(target.Id, QueueUrl);
      } catch {
        failed.push({
          TargetId: target.Id,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Queue ${target.Arn} does not exist.`,
        });
      }
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  removeTargets(request: z.infer<typeof RemoveTargetsRequestSchema>) {
    const rule = this.rules.get(request.Rule);
    if (!rule)
      throw new RuleRequestError('ResourceNotFoundException', `Rule ${request.Rule} does not exist.`);
    for (const id of request.Ids) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  deleteRule(request: z.infer<typeof DeleteRuleRequestSchema>): Record<string, never> {
    const rule = this.rules.get(request.Name);
    // AWS refuses to delete a rule that still has targets.
    if (rule && rule.targets.size > 0) {
      throw new RuleRequestError('ValidationException', 'Rule can’t be deleted since it has targets.');
    }
    this.rules.delete(request.Name);
    return {};
  }
}
