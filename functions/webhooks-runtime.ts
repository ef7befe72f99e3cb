/**
 * The dependencies of the webhook and browser-pairing functions (HTTP routes under `functions/http/webhooks/`,
 * `functions/http/ws-tickets.ts`, `$connect`, and the two webhook workers), built once per Lambda container from
 * the one root's configuration and clients (`functions/runtime.ts`), on first use.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../shared/adapters/aws/clients.js';
import { SqsDeliveryJobQueue } from '../shared/adapters/aws/sqs-delivery-job-queue.js';
import { DynamoDeliveryPayloadStore } from '../shared/adapters/dynamodb/delivery-payload-store.js';
import { createDynamoRepositories, type Repositories } from '../shared/adapters/dynamodb/index.js';
import { DynamoWebhookHealthStore } from '../shared/adapters/dynamodb/webhook-health-store.js';
import { DynamoWsTicketStore } from '../shared/adapters/dynamodb/ws-ticket-store.js';
import { selectDataKeyProvider } from '../shared/adapters/select-data-key-provider.js';
import type { AppConfig } from '../shared/config/app-config.js';
import type { DeliveryJobQueue } from '../shared/ports/delivery-job-queue.js';
import type { DeliveryPayloadStore } from '../shared/ports/delivery-payload-store.js';
import type { WebhookHealthStore } from '../shared/ports/webhook-health-store.js';
import type { WsTicketStore } from '../shared/ports/ws-ticket-store.js';
import { WebhookSecretCipher } from '../shared/services/webhooks/signing-secret-cipher.js';
import { loadWebhookSettings, type WebhookSettings } from '../shared/services/webhooks/webhook-settings.js';
import { appConfig, awsClients, onRuntimeReset } from './runtime.js';

export interface EventsRuntime {
  readonly config: AppConfig;
  readonly settings: WebhookSettings;
  readonly clients: AwsClients;
  readonly repositories: Repositories;
  readonly tickets: WsTicketStore;
  readonly payloads: DeliveryPayloadStore;
  readonly health: WebhookHealthStore;
  readonly deliveryQueue: DeliveryJobQueue;
  readonly secrets: WebhookSecretCipher;
}

let runtime: EventsRuntime | undefined;

export function eventsRuntime(): EventsRuntime {
  if (runtime) return runtime;
  const config = appConfig();
  const clients = awsClients();
  const ctx = { dynamo: clients.dynamo, config };
  runtime = {
    config,
    settings: loadWebhookSettings(),
    clients,
    repositories: createDynamoRepositories(clients.dynamo, config),
    tickets: new DynamoWsTicketStore(ctx),
    payloads: new DynamoDeliveryPayloadStore(ctx),
    health: new DynamoWebhookHealthStore(ctx),
    // Queue URLs from fauxqs name a host (`sqs.<region>.localhost`) that does not resolve; the SDK would send
    // there instead of to AWS_ENDPOINT_URL_SQS. On AWS the URL host and the endpoint are the same anyway.
    deliveryQueue: new SqsDeliveryJobQueue(
      new SQSClient({ region: config.AWS_REGION, useQueueUrlAsEndpoint: false }),
      config.APP_RESOURCE_PREFIX,
    ),
    secrets: new WebhookSecretCipher(selectDataKeyProvider(config, clients.kms)),
  };
  return runtime;
}

onRuntimeReset(() => (runtime = undefined));
