/**
 * API keys, stored hashed only: the repository never sees the plaintext `wak_...` key, only its SHA-256
 * (`hashApiKey` in the domain), which is also the table's key so authentication is one GetItem.
 */
import type { ApiKey } from '../domain/api-key.js';
import type { Page, PageRequest } from './pagination.js';

export interface ApiKeyRepository {
  /** Idempotent on (hash, id); the same hash under another key id is a `ConflictError`. */
  create(apiKey: ApiKey, keyHash: string): Promise<ApiKey>;
  /** Strongly consistent: a revoked key stops working at once. */
  findByHash(keyHash: string): Promise<ApiKey | null>;
  listByTenant(tenantId: string, page?: PageRequest): Promise<Page<ApiKey>>;
  /** Deletes the key; another tenant's key (or a missing one) is a `NotFoundError`. */
  revoke(tenantId: string, keyId: string): Promise<void>;
  /**
   * Best-effort, cheap: writes only when the stored `lastUsedAt` is older than the granularity, so a busy key
   * costs one write a minute, not one per request. Never fails on a missing or fresh key.
   */
  touchLastUsed(keyHash: string, at: Date): Promise<void>;
}
