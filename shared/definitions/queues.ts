/**
 * SQS queues that exist once per deployment (host command queues are per host and made at run time), with the
 * Lambda consumer each one feeds. CDK and the local cloud both build from this list.
 */

export interface QueueConsumer {
  /** Module path from the repository root, without extension, and the exported handler name. */
  readonly entry: string;
  readonly handler: string;
  readonly batchSize: number;
  /** Whether the handler reports `batchItemFailures` (partial batch responses). */
  readonly reportBatchItemFailures: boolean;
}

export interface QueueDefinition {
  readonly logicalName: QueueName;
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which a message goes to `${logicalName}-dlq`. */
  readonly maxReceiveCount: number;
  /** Absent until the worker exists (the webhook workers arrive with the webhooks issue). */
  readonly consumer?: QueueConsumer;
}

export const QUEUE_NAMES = ['webhookFanout', 'webhookDelivery'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const QUEUES: Readonly<Record<QueueName, QueueDefinition>> = {
  /** Fed by the event bus rule; turns one domain event into one delivery job per matching subscription. */
  webhookFanout: {
    logicalName: 'webhookFanout',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
  },
  /** One message per (event, subscription); retries are the visibility timeout growing with each attempt. */
  webhookDelivery: {
    logicalName: 'webhookDelivery',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 8,
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
