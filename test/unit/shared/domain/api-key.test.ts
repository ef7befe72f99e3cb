import { describe, expect, it } from 'vitest';
import {
  ALL_SCOPES,
  API_KEY_PATTERN,
  ApiKeySchema,
  CreateApiKeyRequestSchema,
  ScopeSchema,
  apiKeyMatchesHash,
  generateApiKey,
  hasScopes,
  hashApiKey,
  isApiKeyFormat,
  newId,
} from '../../../../shared/domain/index.js';

describe('scopes', () => {
  it('are exactly the six of the API contract', () => {
    expect([...ScopeSchema.options].sort()).toEqual([
      'keys:manage',
      'messages:read',
      'messages:send',
      'sessions:read',
      'sessions:write',
      'webhooks:manage',
    ]);
    expect(ScopeSchema.safeParse('admin').success).toBe(false);
  });

  it('checks required scopes', () => {
    expect(hasScopes(['messages:send', 'sessions:read'], ['messages:send'])).toBe(true);
    expect(hasScopes(['sessions:read'], ['messages:send'])).toBe(false);
    expect(hasScopes([], [])).toBe(true);
  });
});

describe('API key strings', () => {
  it('generates wak_ + 43 base64url characters, with a short display prefix and a sha-256 hash', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(key).toHaveLength(47);
    expect(isApiKeyFormat(key)).toBe(true);
    expect(prefix).toBe(key.slice(0, 12));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).not.toContain(key.slice(4));
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it.each([
    ['another prefix', 'sk_' + 'a'.repeat(43)],
    ['too short', 'wak_' + 'a'.repeat(42)],
    ['too long', 'wak_' + 'a'.repeat(44)],
    ['standard base64 chars', 'wak_' + 'a'.repeat(42) + '+'],
    ['padding', 'wak_' + 'a'.repeat(42) + '='],
    ['empty', ''],
  ])('refuses %s', (_label, value) => {
    expect(isApiKeyFormat(value)).toBe(false);
  });

  it('matches a key to its hash only', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatchesHash(a.key, a.hash)).toBe(true);
    expect(apiKeyMatchesHash(b.key, a.hash)).toBe(false);
    expect(apiKeyMatchesHash('wak_short', a.hash)).toBe(false);
    expect(apiKeyMatchesHash(a.key, 'not-a-hash')).toBe(false);
  });
});

describe('ApiKeySchema', () => {
  const record = {
    id: newId(),
    tenantId: newId(),
    name: 'ci',
    scopes: ['messages:send'],
    prefix: generateApiKey().prefix,
    createdAt: new Date().toISOString(),
  };

  it('accepts a record and refuses bad scopes, prefixes, empty scope lists', () => {
    expect(ApiKeySchema.safeParse(record).success).toBe(true);
    expect(ApiKeySchema.safeParse({ ...record, lastUsedAt: new Date().toISOString() }).success).toBe(true);
    expect(ApiKeySchema.safeParse({ ...record, scopes: ['messages:write'] }).success).toBe(false);
    expect(ApiKeySchema.safeParse({ ...record, scopes: [] }).success).toBe(false);
    expect(ApiKeySchema.safeParse({ ...record, prefix: 'sk_12345678' }).success).toBe(false);
  });

  it('create request defaults to every scope but keys:manage and dedupes', () => {
    const parsed = CreateApiKeyRequestSchema.parse({ name: 'bot' });
    expect(parsed.scopes).not.toContain('keys:manage');
    expect(parsed.scopes).toHaveLength(ALL_SCOPES.length - 1);
    expect(
      CreateApiKeyRequestSchema.parse({ name: 'x', scopes: ['keys:manage', 'keys:manage'] }).scopes,
    ).toEqual(['keys:manage']);
    expect(CreateApiKeyRequestSchema.safeParse({ name: '', scopes: ['keys:manage'] }).success).toBe(false);
    expect(CreateApiKeyRequestSchema.safeParse({ name: 'x', scopes: ['root'] }).success).toBe(false);
  });
});
