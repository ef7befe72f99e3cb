import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { IdSchema, TimestampSchema } from './ids.js';
import { ALL_SCOPES, ScopeSchema, type Scope } from './scope.js';

export { ALL_SCOPES, ScopeSchema, type Scope } from './scope.js';

export const API_KEY_PREFIX = 'wak_';
/** 32 random bytes in unpadded base64url are exactly 43 characters. */
const API_KEY_RANDOM_BYTES = 32;
export const API_KEY_PATTERN = /^wak_[A-Za-z0-9_-]{43}$/;
/** `wak_` plus 8 characters: enough for a user to tell keys apart, far too little to guess the rest. */
export const API_KEY_DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export const ApiKeyStringSchema = z
  .string()
  .regex(API_KEY_PATTERN, 'must be an API key: wak_ then 43 base64url characters');

/** The stored record. The key itself is never stored; the hash lives with the adapter, not in this shape. */
export const ApiKeySchema = z.object({
  id: IdSchema,
  tenantId: IdSchema,
  name: z.string().trim().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1),
  prefix: z.string().startsWith(API_KEY_PREFIX).length(API_KEY_DISPLAY_PREFIX_LENGTH),
  createdAt: TimestampSchema,
  lastUsedAt: TimestampSchema.optional(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** `POST /v1/api-keys`. Scopes default to all but `keys:manage`, so a leaked default key cannot mint keys. */
export const CreateApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  scopes: z
    .array(ScopeSchema)
    .min(1)
    .transform((s) => [...new Set(s)])
    .default(ALL_SCOPES.filter((s) => s !== 'keys:manage')),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

export interface GeneratedApiKey {
  /** Shown to the user once; never stored. */
  key: string;
  prefix: string;
  hash: string;
}

export function isApiKeyFormat(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH);
}

/**
 * SHA-256 hex. A plain fast hash is enough (no salt, no bcrypt): the key carries 256 random bits, so there is
 * nothing to brute-force, and lookups must find the key by its hash on every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(API_KEY_RANDOM_BYTES).toString('base64url');
  return { key, prefix: apiKeyDisplayPrefix(key), hash: hashApiKey(key) };
}

/** Constant-time comparison of a presented key against a stored hash. */
export function apiKeyMatchesHash(key: string, storedHash: string): boolean {
  if (!isApiKeyFormat(key) || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashApiKey(key), 'hex'), Buffer.from(storedHash, 'hex'));
}

export function hasScopes(granted: readonly Scope[], required: readonly Scope[]): boolean {
  return required.every((s) => granted.includes(s));
}
