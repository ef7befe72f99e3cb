/**
 * Runtime configuration shared by Lambda handlers, session hosts and the local cloud, read from the
 * environment once and validated, so a missing variable fails at start with its name, not later with a
 * confusing SDK error. CDK sets these variables on every function and task; the local cloud sets them too.
 *
 * Endpoint overrides use the AWS SDK's own variables (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`,
 * `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_EVENTBRIDGE`, `AWS_ENDPOINT_URL_KMS`), which the SDK reads by itself.
 */
import * as z from 'zod';

/** 4 MiB: base64-encoded (4/3) with the event around it, this still fits Lambda's 6 MB request payload. */
export const MEDIA_UPLOAD_CEILING_BYTES = 4 * 1024 * 1024;

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

export const AppConfigSchema = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Prefix of every table, queue and bus name of one deployment (e.g. `wa-prod-`). */
  APP_RESOURCE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - only')
    .default(''),
  APP_CREDENTIALS_BUCKET: z.string().min(3),
  APP_MEDIA_BUCKET: z.string().min(3),
  /** KMS key for data keys; absent only in local mode, where `APP_LOCAL_MASTER_KEY` stands in. */
  APP_KMS_KEY_ID: z.string().min(1).optional(),
  /** 32 bytes, base64: the local key provider's master key. Never set in AWS. */
  APP_LOCAL_MASTER_KEY: z.string().optional(),
  /** HTTPS endpoint of the WebSocket API's `@connections` management API. */
  APP_WS_CALLBACK_URL: z.url().optional(),
  /** Local mode relaxes what only matters on AWS (loopback webhook targets, the simulator's root key). */
  APP_LOCAL_MODE: flag,
  /** fauxqs serves S3 path-style only. */
  APP_S3_FORCE_PATH_STYLE: flag,
  /**
   * SHA-256 hex of the operator key (never the key itself), which may create tenants. Absent: no operator key
   * is accepted at all.
   */
  APP_OPERATOR_KEY_HASH: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 hex digest of the operator key')
    .optional(),
  /**
   * Largest body `POST /v1/media` accepts, in bytes (default 4 MiB). Binary bodies reach the function
   * base64-encoded, and Lambda takes at most 6 MB per invocation, so 4 MiB is also the ceiling; larger media is
   * sent by URL.
   */
  APP_MEDIA_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(MEDIA_UPLOAD_CEILING_BYTES, `at most ${MEDIA_UPLOAD_CEILING_BYTES} (Lambda's payload limit)`)
    .default(MEDIA_UPLOAD_CEILING_BYTES),
  /**
   * Key of the HMAC that seals pagination cursors (`shared/adapters/dynamodb/cursor.ts`), at least 32
   * characters. Absent: cursors are still bound to their list, tenant and filter, but not sealed against forgery.
   */
  APP_CURSOR_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Browser WebSocket connections a tenant may hold at once, tenant-wide and session ones together (default
   * 50). `$connect` over it answers 429; the ticket is spent all the same.
   */
  APP_WS_MAX_CONNECTIONS_PER_TENANT: z.coerce.number().int().min(1).max(10_000).default(50),
  APP_SERVICE_NAME: z.string().default('wa-platform'),
  APP_VERSION: z.string().default('0.1.0'),
});

export type AppConfig = z.infer<typeof AppConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses configuration; the error names every missing or invalid variable (values are never echoed). */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = AppConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
