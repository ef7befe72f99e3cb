/**
 * The HTTP handlers' dependencies: repositories and the use cases' other ports, built once per Lambda container
 * from the one root's configuration and clients (`functions/runtime.ts`), when a handler first needs them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { ApiGatewayWsCloser } from '../../shared/adapters/aws/api-gateway-ws-closer.js';
import { createApiGatewayManagementClient } from '../../shared/adapters/aws/api-gateway-ws-pusher.js';
import { EventBridgeEventBus } from '../../shared/adapters/aws/eventbridge-event-bus.js';
import { S3CredentialsEraser } from '../../shared/adapters/aws/s3-credentials-eraser.js';
import { S3EncryptedBlobStore } from '../../shared/adapters/aws/s3-encrypted-blob-store.js';
import { SqsHostCommandQueue } from '../../shared/adapters/aws/sqs-host-command-queue.js';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/index.js';
import { DynamoContactCheckCache } from '../../shared/adapters/dynamodb/contact-check-cache.js';
import { DynamoDailyQuota } from '../../shared/adapters/dynamodb/daily-quota.js';
import { DynamoHostReplyStore } from '../../shared/adapters/dynamodb/host-reply-store.js';
import { DynamoIdempotencyStore } from '../../shared/adapters/dynamodb/idempotency-store.js';
import { DynamoRateLimitCounter } from '../../shared/adapters/dynamodb/rate-limit-counter.js';
import { DynamoSendTransaction } from '../../shared/adapters/dynamodb/send-transaction.js';
import {
  DynamoCredentialsEraser,
  DynamoSessionRecordsEraser,
} from '../../shared/adapters/dynamodb/session-records-eraser.js';
import { DynamoWsConnectionRepository } from '../../shared/adapters/dynamodb/ws-connection-repository.js';
import { selectDataKeyProvider } from '../../shared/adapters/select-data-key-provider.js';
import { eventBusName } from '../../shared/definitions/event-rules.js';
import type { EventBus } from '../../shared/ports/event-bus.js';
import { sleep, type ControlPlaneDeps } from '../../shared/services/deps.js';
import { HostDoorbell } from '../../shared/services/host-doorbell.js';
import { CredentialsErasers } from '../../shared/services/session-data.js';
import { functionLogger } from '../logger.js';
import { appConfig, awsClients, onRuntimeReset } from '../runtime.js';

/** Timings of the HTTP use cases; defaults fit API Gateway's 30 s integration limit. */
export const HttpTimingsSchema = z.object({
  APP_PAIRING_WAIT_MS: z.coerce.number().int().min(0).max(25_000).default(15_000),
  APP_HOST_REQUEST_WAIT_MS: z.coerce.number().int().min(0).max(25_000).default(10_000),
  APP_CONTACT_CHECKS_PER_DAY: z.coerce.number().int().min(1).max(100_000).default(1_000),
  APP_SESSION_RELEASE_WAIT_MS: z.coerce.number().int().min(0).max(20_000).default(5_000),
});

let deps: ControlPlaneDeps | undefined;
let closer: ApiGatewayWsCloser | undefined;
let bus: EventBus | undefined;

export { appConfig, awsClients };

/** The container's logger (`functions/logger.ts`), as the HTTP handlers know it. */
export function httpLogger(): Logger {
  return functionLogger();
}

/** The use cases' dependencies (repositories, host doorbell, idempotency, rate limits, erasers, media). */
export function controlPlane(): ControlPlaneDeps {
  if (!deps) {
    const cfg = appConfig();
    const aws = awsClients();
    const timings = HttpTimingsSchema.parse(process.env);
    const ctx = { dynamo: aws.dynamo, config: cfg };
    const log = httpLogger();
    const wsCloser = (): ApiGatewayWsCloser =>
      (closer ??= new ApiGatewayWsCloser(
        createApiGatewayManagementClient(cfg),
        new DynamoWsConnectionRepository(ctx),
      ));
    deps = {
      repos: createDynamoRepositories(aws.dynamo, cfg),
      doorbell: new HostDoorbell(new SqsHostCommandQueue({ sqs: aws.sqs, prefix: cfg.APP_RESOURCE_PREFIX }), {
        warn: (message, fields) => log.warn(message, fields),
      }),
      hostReplies: new DynamoHostReplyStore(ctx),
      contactChecks: new DynamoContactCheckCache(ctx),
      dailyQuota: new DynamoDailyQuota(ctx),
      idempotency: new DynamoIdempotencyStore(ctx),
      rateLimits: new DynamoRateLimitCounter(ctx),
      sends: new DynamoSendTransaction(ctx),
      credentials: new CredentialsErasers([
        new DynamoCredentialsEraser(ctx),
        new S3CredentialsEraser(aws.s3, cfg.APP_CREDENTIALS_BUCKET),
      ]),
      records: new DynamoSessionRecordsEraser(ctx),
      media: S3EncryptedBlobStore.forMedia(cfg, aws.s3, selectDataKeyProvider(cfg, aws.kms)),
      sockets: {
        // Built on first use: only the suspend path needs APP_WS_CALLBACK_URL and the management API.
        closeSession: (sessionId) => wsCloser().closeSession(sessionId),
        closeTenant: (tenantId) => wsCloser().closeTenant(tenantId),
      },
      localMode: cfg.APP_LOCAL_MODE,
      pairingWaitMs: timings.APP_PAIRING_WAIT_MS,
      releaseWaitMs: timings.APP_SESSION_RELEASE_WAIT_MS,
      hostRequestWaitMs: timings.APP_HOST_REQUEST_WAIT_MS,
      contactChecksPerDay: timings.APP_CONTACT_CHECKS_PER_DAY,
      now: () => Date.now(),
      sleep,
    };
  }
  return deps;
}

/** The platform's event bus, for routes that publish domain events (their access declares `eventBus`). */
export function eventBus(): EventBus {
  bus ??= new EventBridgeEventBus({
    client: awsClients().eventBridge,
    busName: eventBusName(appConfig().APP_RESOURCE_PREFIX),
  });
  return bus;
}

onRuntimeReset(() => {
  deps = undefined;
  closer = undefined;
  bus = undefined;
});
