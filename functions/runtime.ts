/**
 * The one composition root of the Lambda functions: the container's configuration and AWS clients, built once,
 * on first use (importing a handler needs no environment, and a refused request never reads the config). Each
 * kind of handler builds its own dependencies from these two, lazily too: `http/runtime.ts` (the control
 * plane's use cases), `webhooks-runtime.ts` (webhooks, browser tickets, the webhook workers), `ws/runtime.ts`
 * (WebSocket routes) and the workers. The logger is `logger.ts`'s. Tests and the local cloud set the same
 * environment variables the deployed functions get.
 */
import { createAwsClients, type AwsClients } from '../shared/adapters/aws/clients.js';
import { loadAppConfig, type AppConfig } from '../shared/config/app-config.js';

let config: AppConfig | undefined;
let clients: AwsClients | undefined;
const resets: (() => void)[] = [];

export function appConfig(): AppConfig {
  config ??= loadAppConfig();
  return config;
}

export function awsClients(): AwsClients {
  // Endpoint overrides (the local cloud) are passed explicitly although the SDK reads AWS_ENDPOINT_URL_* itself:
  // only an explicit `endpoint` stops the SQS client from sending to the host named in a queue URL, and
  // fauxqs's queue URLs name `sqs.<region>.localhost`, which does not resolve. On AWS none is set.
  const env = process.env;
  clients ??= createAwsClients(appConfig(), {
    endpoints: {
      dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB,
      sqs: env.AWS_ENDPOINT_URL_SQS,
      s3: env.AWS_ENDPOINT_URL_S3,
      eventbridge: env.AWS_ENDPOINT_URL_EVENTBRIDGE,
      kms: env.AWS_ENDPOINT_URL_KMS,
    },
  });
  return clients;
}

/** A dependency module's cache, dropped with the root's (`resetRuntime`). */
export function onRuntimeReset(drop: () => void): void {
  resets.push(drop);
}

/** Tests that restart the local cloud in one process (new endpoints, new prefix) start from scratch. */
export function resetRuntime(): void {
  config = undefined;
  clients = undefined;
  for (const drop of resets) drop();
}
