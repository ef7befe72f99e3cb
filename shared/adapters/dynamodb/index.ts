/** Every DynamoDB repository over one client, for handlers and hosts to build once per process. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppConfig } from '../../config/app-config.js';
import type { ApiKeyRepository } from '../../ports/api-key-repository.js';
import type { ChatRepository } from '../../ports/chat-repository.js';
import type { DeliveryRepository } from '../../ports/delivery-repository.js';
import type { GroupRepository } from '../../ports/group-repository.js';
import type { LidMappingRepository } from '../../ports/lid-mapping-repository.js';
import type { MessageRepository } from '../../ports/message-repository.js';
import type { PoolRepository } from '../../ports/pool-repository.js';
import type { SessionRepository } from '../../ports/session-repository.js';
import type { TenantRepository } from '../../ports/tenant-repository.js';
import type { WebhookRepository } from '../../ports/webhook-repository.js';
import { DynamoApiKeyRepository } from './api-key-repository.js';
import { DynamoChatRepository } from './chat-repository.js';
import { DynamoDeliveryRepository } from './delivery-repository.js';
import { DynamoGroupRepository } from './group-repository.js';
import { DynamoLidMappingRepository } from './lid-mapping-repository.js';
import { DynamoMessageRepository } from './message-repository.js';
import { DynamoPoolRepository } from './pool-repository.js';
import { DynamoSessionRepository } from './session-repository.js';
import { DynamoTenantRepository } from './tenant-repository.js';
import { DynamoWebhookRepository } from './webhook-repository.js';

export interface Repositories {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly sessions: SessionRepository;
  readonly messages: MessageRepository;
  readonly chats: ChatRepository;
  readonly webhooks: WebhookRepository;
  readonly deliveries: DeliveryRepository;
  readonly lidMappings: LidMappingRepository;
  readonly groups: GroupRepository;
  readonly pools: PoolRepository;
}

export function createDynamoRepositories(
  dynamo: DynamoDBDocumentClient,
  config: Pick<AppConfig, 'APP_RESOURCE_PREFIX'>,
): Repositories {
  const ctx = { dynamo, config };
  return {
    tenants: new DynamoTenantRepository(ctx),
    apiKeys: new DynamoApiKeyRepository(ctx),
    sessions: new DynamoSessionRepository(ctx),
    messages: new DynamoMessageRepository(ctx),
    chats: new DynamoChatRepository(ctx),
    webhooks: new DynamoWebhookRepository(ctx),
    deliveries: new DynamoDeliveryRepository(ctx),
    lidMappings: new DynamoLidMappingRepository(ctx),
    groups: new DynamoGroupRepository(ctx),
    pools: new DynamoPoolRepository(ctx),
  };
}

export { DynamoApiKeyRepository } from './api-key-repository.js';
export { DynamoChatRepository } from './chat-repository.js';
export { DynamoDeliveryRepository } from './delivery-repository.js';
export { DynamoGroupRepository } from './group-repository.js';
export { DynamoLidMappingRepository } from './lid-mapping-repository.js';
export { DynamoMessageRepository } from './message-repository.js';
export { DynamoSessionRepository } from './session-repository.js';
export { DynamoTenantRepository } from './tenant-repository.js';
export { DynamoWebhookRepository } from './webhook-repository.js';
