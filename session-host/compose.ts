/**
 * The composition root of a session host: every adapter is chosen here, once, from configuration.
 * - Data keys: AWS KMS when `APP_KMS_KEY_ID` is set; otherwise the local master key (`APP_LOCAL_MASTER_KEY`),
 *   which is refused outside local mode.
 * - Browser frames: the WebSocket API's management endpoint when `APP_WS_CALLBACK_URL` is set, else dropped.
 * Tests pass endpoints and credentials for the emulators through `clientOptions`, or set `AWS_ENDPOINT_URL_*`.
 */
import { createAwsClients, type AwsClientOptions, type AwsClients } from '../shared/adapters/aws/clients.js';
import {
  ApiGatewayWsPusher,
  createApiGatewayManagementClient,
} from '../shared/adapters/aws/api-gateway-ws-pusher.js';
import { EventBridgeEventBus } from '../shared/adapters/aws/eventbridge-event-bus.js';
import { S3EncryptedBlobStore } from '../shared/adapters/aws/s3-encrypted-blob-store.js';
import { SqsHostCommandQueue } from '../shared/adapters/aws/sqs-host-command-queue.js';
import { createDynamoRepositories } from '../shared/adapters/dynamodb/index.js';
import { DynamoCredentialStore } from '../shared/adapters/dynamodb/credential-store.js';
import { DynamoHostReplyStore } from '../shared/adapters/dynamodb/host-reply-store.js';
import { DynamoEventOutboxRepository } from '../shared/adapters/dynamodb/event-outbox-repository.js';
import { DynamoWsConnectionRepository } from '../shared/adapters/dynamodb/ws-connection-repository.js';
import { selectDataKeyProvider as selectProvider } from '../shared/adapters/select-data-key-provider.js';
import type { AppConfig } from '../shared/config/app-config.js';
import { eventBusName } from '../shared/definitions/event-rules.js';
import type { BlobStore } from '../shared/ports/blob-store.js';
import type { ChatRepository } from '../shared/ports/chat-repository.js';
import type { CredentialStore } from '../shared/ports/credential-store.js';
import type { DataKeyProvider } from '../shared/ports/data-key-provider.js';
import type { EventBus } from '../shared/ports/event-bus.js';
import type { EventOutboxRepository } from '../shared/ports/event-outbox-repository.js';
import type { HostCommandQueue } from '../shared/ports/host-command-queue.js';
import type { HostReplyStore } from '../shared/ports/host-reply-store.js';
import type { LidMappingRepository } from '../shared/ports/lid-mapping-repository.js';
import type { MessageRepository } from '../shared/ports/message-repository.js';
import type { SessionRepository } from '../shared/ports/session-repository.js';
import type { WsPusher } from '../shared/ports/ws-pusher.js';
import { DynamoHostRegistry } from '../shared/adapters/dynamodb/host-registry.js';
import type { HostRegistry } from '../shared/ports/host-registry.js';
import type { HostLogger } from './logger.js';

export interface HostAdapters {
  readonly clients: AwsClients;
  readonly sessions: SessionRepository;
  readonly messages: MessageRepository;
  readonly chats: ChatRepository;
  readonly lidMappings: LidMappingRepository;
  /** Per-key credentials (issue #14). */
  readonly credentials: CredentialStore;
  /** The pre-#14 credentials bucket: read once per session to migrate it, deleted after. */
  readonly legacyCredentials: BlobStore;
  readonly media: BlobStore;
  readonly commandQueue: HostCommandQueue;
  /** The bus itself; the host wraps it in a batching bus. */
  readonly eventBus: EventBus;
  /** Events stored until the bus took them (`events/event-outbox.ts`). */
  readonly eventOutbox: EventOutboxRepository;
  readonly ws: WsPusher;
  /** Answers to the API's host requests (`requests/`). */
  readonly hostReplies: HostReplyStore;
  readonly registry: HostRegistry;
  destroy(): void;
}

/**
 * Endpoint overrides from the SDK's own variables, passed explicitly: only an explicit `endpoint` stops the SQS
 * client from sending to the host named in a queue URL, and fauxqs's queue URLs name `sqs.<region>.localhost`,
 * which does not resolve. On AWS none is set.
 */
export function endpointsFromEnv(env: NodeJS.ProcessEnv): AwsClientOptions['endpoints'] {
  return {
    dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB,
    sqs: env.AWS_ENDPOINT_URL_SQS,
    s3: env.AWS_ENDPOINT_URL_S3,
    eventbridge: env.AWS_ENDPOINT_URL_EVENTBRIDGE,
    kms: env.AWS_ENDPOINT_URL_KMS,
  };
}

/** The data keys of credentials and media envelopes (`shared/adapters/select-data-key-provider.ts`). */
export function selectDataKeyProvider(app: AppConfig, clients: AwsClients): DataKeyProvider {
  return selectProvider(app, clients.kms);
}

export function composeHostAdapters(
  app: AppConfig,
  log: HostLogger,
  clientOptions: AwsClientOptions = {},
): HostAdapters {
  const clients = createAwsClients(app, clientOptions);
  const repositories = createDynamoRepositories(clients.dynamo, app);
  const provider = selectDataKeyProvider(app, clients);
  const media = S3EncryptedBlobStore.forMedia(app, clients.s3, provider);
  const connections = new DynamoWsConnectionRepository({ dynamo: clients.dynamo, config: app });
  const management = app.APP_WS_CALLBACK_URL
    ? createApiGatewayManagementClient(app, clientOptions.credentials)
    : undefined;
  const ws: WsPusher = management
    ? new ApiGatewayWsPusher({
        client: management,
        connections,
        onError: (connectionId, error) =>
          log.warn('ws frame not delivered', {
            connectionId,
            error: error instanceof Error ? error.message : String(error),
          }),
      })
    : { pushToSession: async () => ({ sent: 0, gone: 0, failed: 0 }) };
  return {
    clients,
    sessions: repositories.sessions,
    messages: repositories.messages,
    chats: repositories.chats,
    lidMappings: repositories.lidMappings,
    credentials: new DynamoCredentialStore({ ctx: { dynamo: clients.dynamo, config: app }, provider }),
    legacyCredentials: S3EncryptedBlobStore.forCredentials(app, clients.s3, provider),
    media,
    commandQueue: new SqsHostCommandQueue({
      sqs: clients.sqs,
      prefix: app.APP_RESOURCE_PREFIX,
      onMalformed: (report) => log.warn('malformed host command dropped', { ...report }),
    }),
    eventBus: new EventBridgeEventBus({
      client: clients.eventBridge,
      busName: eventBusName(app.APP_RESOURCE_PREFIX),
    }),
    eventOutbox: new DynamoEventOutboxRepository({ dynamo: clients.dynamo, config: app }),
    ws,
    hostReplies: new DynamoHostReplyStore({ dynamo: clients.dynamo, config: app }),
    registry: new DynamoHostRegistry({ dynamo: clients.dynamo, prefix: app.APP_RESOURCE_PREFIX }),
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
      management?.destroy();
    },
  };
}
