/**
 * Creates the app's queues in fauxqs from the shared definitions, each with its dead-letter queue and the
 * RedrivePolicy CDK gives it, so messages that keep failing move to the DLQ after `maxReceiveCount` receives.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  deadLetterQueueName,
  physicalQueueName,
  type QueueDefinition,
  type QueueName,
} from '../shared/definitions/queues.js';

export interface CreatedQueue {
  readonly definition: QueueDefinition;
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** DLQs keep messages for the SQS maximum (14 days), like the deployed ones. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export async function createQueues(
  sqs: SQSClient,
  prefix: string,
  definitions: readonly QueueDefinition[],
): Promise<Partial<Record<QueueName, CreatedQueue>>> {
  const created: Partial<Record<QueueName, CreatedQueue>> = {};
  for (const definition of definitions) {
    const dlq = await createQueue(sqs, deadLetterQueueName(prefix, definition.logicalName), {
      MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
    });
    const queue = await createQueue(sqs, physicalQueueName(prefix, definition.logicalName), {
      VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: definition.maxReceiveCount,
      }),
    });
    created[definition.logicalName] = {
      definition,
      url: queue.url,
      arn: queue.arn,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
    };
  }
  return created;
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`no ARN for queue ${name}`);
  return { url: QueueUrl, arn };
}
