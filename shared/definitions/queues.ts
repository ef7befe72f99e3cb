/**
 * SQS queues that exist once per deployment (host command queues are per host and made at run time), with the
 * Lambda consumer each one feeds. CDK and the local cloud both build from this list.
 */

import type { TableName } from './tables.js';

/** What a consumer may touch besides its own queue; CDK turns it into least-privilege grants. */
export interface ConsumerAccess {
  readonly tables?: Partial<Record<TableName, 'read' | 'readWrite'>>;
  /** Queues it sends to. */
  readonly sendTo?: readonly QueueName[];
  /** Posts to browser WebSockets: `execute-api:ManageConnections` on the WebSocket API's stage, its callback URL. */
  readonly webSockets?: boolean;
  /** Publishes domain events (`events:PutEvents` on the app's bus). */
  readonly eventBus?: boolean;
  /** Rings session hosts' doorbells (send to this deployment's `host-*` command queues). */
  readonly hostCommands?: boolean;
}

export interface QueueConsumer {
  /** Module path from the repository root, without extension, and the exported handler name. */
  readonly entry: string;
  readonly handler: string;
  readonly batchSize: number;
  /** Whether the handler reports `batchItemFailures` (partial batch responses). */
  readonly reportBatchItemFailures: boolean;
  /**
   * Batches (function instances) in flight at most: the mapping's `ScalingConfig.MaximumConcurrency` (2-1000).
   * Unset, Lambda starts with five and scales with the backlog; the local mapping runs this many pollers (five
   * when unset), so the handler must be safe with several invocations at once in one process.
   */
  readonly maxConcurrency?: number;
  readonly access?: ConsumerAccess;
}

export interface QueueDefinition {
  readonly logicalName: QueueName;
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which a message goes to `${logicalName}-dlq`. */
  readonly maxReceiveCount: number;
  /** The Lambda function that consumes it; absent for a queue nothing consumes yet. */
  readonly consumer?: QueueConsumer;
}

export const QUEUE_NAMES = ['webhookFanout', 'webhookDelivery', 'realtimePush', 'poolFailover'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const QUEUES: Readonly<Record<QueueName, QueueDefinition>> = {
  /** Fed by the event bus rule; turns one domain event into one delivery job per matching subscription. */
  webhookFanout: {
    logicalName: 'webhookFanout',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    consumer: {
      entry: 'functions/workers/webhook-fanout',
      handler: 'handler',
      batchSize: 10,
      reportBatchItemFailures: true,
      // Reads subscriptions; creates deliveries (with their payload); queues one job per delivery.
      access: { tables: { webhooks: 'read', deliveries: 'readWrite' }, sendTo: ['webhookDelivery'] },
    },
  },
  /** One message per (event, subscription); retries are the visibility timeout growing with each attempt. */
  webhookDelivery: {
    logicalName: 'webhookDelivery',
    // The retry backoff overrides it per message; this is only the first attempt's deadline.
    visibilityTimeoutSeconds: 60,
    /**
     * Well above `APP_WEBHOOK_MAX_ATTEMPTS` (8): attempts are counted on the delivery, and the worker acknowledges
     * the last one itself. Receives also count what never reached a POST (a throttled read, a crash, a lost
     * answer), so this leaves 12 of those per job before the DLQ, which then holds only platform faults.
     */
    maxReceiveCount: 20,
    consumer: {
      entry: 'functions/workers/webhook-delivery',
      handler: 'handler',
      batchSize: 10,
      reportBatchItemFailures: true,
      // Reads the subscription and its sealed secret, writes its failure streak (auto-disable) and the log.
      // Changing its own messages' visibility (the backoff) is part of consuming the queue.
      access: { tables: { webhooks: 'readWrite', deliveries: 'readWrite' } },
    },
  },
  /**
   * Fed by the `realtime-push` rule with the events a console shows live; pushes each to its tenant's WebSocket
   * room. Frames are worth little late: a short visibility timeout and few receives.
   */
  realtimePush: {
    logicalName: 'realtimePush',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    consumer: {
      entry: 'functions/workers/realtime-push',
      handler: 'handler',
      batchSize: 10,
      reportBatchItemFailures: true,
      // Lists the tenant's connections (byTenant), deletes the gone ones; PostToConnection.
      access: { tables: { wsConnections: 'readWrite' }, webSockets: true },
    },
  },
  /**
   * Fed by the `pool-failover-*` rules (a session's status or restriction changed, a pool message failed) and by
   * its own delayed re-checks (a `down` member's grace): re-routes a dead pool member's messages and counts the
   * members' failures and restricted periods (docs/pools.md, "Failover worker").
   */
  poolFailover: {
    logicalName: 'poolFailover',
    // A record re-routes at most a few hundred messages (one send transaction each): 30 s of function time.
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    consumer: {
      entry: 'functions/workers/pool-failover',
      handler: 'handler',
      batchSize: 5,
      reportBatchItemFailures: true,
      // A re-route is a pool send: its transaction (sessions, idempotency, rateLimits, messages, chats, the
      // assignment and loads), the doorbell, `pool.reassigned`; tenants: the send's tenant; its own queue for the
      // re-checks. messages: the timelocked scan and the "failure counted" mark.
      access: {
        tables: {
          tenants: 'read',
          sessions: 'read',
          pools: 'readWrite',
          poolAssignments: 'readWrite',
          messages: 'readWrite',
          chats: 'readWrite',
          idempotency: 'readWrite',
          rateLimits: 'readWrite',
        },
        sendTo: ['poolFailover'],
        eventBus: true,
        hostCommands: true,
      },
    },
  },
};

export function physicalQueueName(prefix: string, queue: QueueName): string {
  return `${prefix}${queue}`;
}

export function deadLetterQueueName(prefix: string, queue: QueueName): string {
  return `${prefix}${queue}-dlq`;
}

/** Host queues share a prefix so IAM can grant the hosts exactly their own family of queues. */
export function hostQueueName(prefix: string, hostId: string): string {
  return `${prefix}host-${hostId}`;
}
