/**
 * EventBridge rules on the app's bus. CDK turns each into an `events.Rule`; the local bus matches the same
 * patterns. Patterns use EventBridge's own syntax (exact values, `prefix`, `anything-but`, `exists`, `numeric`).
 */
import { WS_EVENT_TYPES } from '../contracts/ws-frames.js';
import type { QueueName } from './queues.js';

export const EVENT_SOURCE = 'wa-platform';

export type EventPatternValue =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { 'anything-but': string | number | readonly (string | number)[] }
  | { exists: boolean }
  | { numeric: readonly (string | number)[] };

export interface EventPattern {
  readonly [field: string]: readonly EventPatternValue[] | EventPattern;
}

export interface EventRuleDefinition {
  readonly ruleName: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly targetQueue: QueueName;
}

export const EVENT_RULES: readonly EventRuleDefinition[] = [
  {
    ruleName: 'webhook-fanout',
    description: 'Every domain event goes to the webhook fan-out worker',
    pattern: { source: [EVENT_SOURCE] },
    targetQueue: 'webhookFanout',
  },
  {
    ruleName: 'realtime-push',
    description: 'The events a console shows live go to the realtime push worker (WebSocket rooms)',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...WS_EVENT_TYPES] },
    targetQueue: 'realtimePush',
  },
  {
    ruleName: 'pool-failover-status',
    description: 'A session left connected: the pool failover worker checks the pools it is a member of',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['session.status'],
      detail: { data: { status: [{ 'anything-but': 'connected' }] } },
    },
    targetQueue: 'poolFailover',
  },
  {
    ruleName: 'pool-failover-restricted',
    description: "A session's reach-out timelock started or ended: the pool failover worker checks its pools",
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['session.restricted'] },
    targetQueue: 'poolFailover',
  },
  {
    ruleName: 'pool-failover-failures',
    description: 'A pool message failed: the pool failover worker counts it and re-sends a timelocked one',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['message.status'],
      detail: { data: { status: ['failed'], poolId: [{ exists: true }] } },
    },
    targetQueue: 'poolFailover',
  },
];

export function eventBusName(prefix: string): string {
  return `${prefix}events`;
}
