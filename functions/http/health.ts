import { httpRoute } from './route.js';

/** `GET /v1/health`: liveness only, no auth, no dependencies touched (a DynamoDB blip must not fail it). */
export const handler = httpRoute({
  handler: () => ({
    status: 'ok' as const,
    service: process.env.APP_SERVICE_NAME ?? 'wa-platform',
    version: process.env.APP_VERSION ?? '0.1.0',
    time: new Date().toISOString(),
  }),
});
