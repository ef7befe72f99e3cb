/**
 * `HTTP_AUTHORIZER`: the Lambda request authorizer (payload 2.0, simple responses) in front of every `apiKey` and
 * `operator` route. It always answers `isAuthorized: true` and puts its verdict in the context
 * (`auth-context.ts`), so routes answer 401/403 problem documents themselves. A tenant key is found by its SHA-256
 * (one strongly consistent GetItem, whose verdict a warm container reuses for `APP_AUTH_CACHE_MS`, so a revoked
 * key stops within that delay: `authorizer-verdict-cache.ts`); the operator key is compared with
 * `APP_OPERATOR_KEY_HASH` in constant time. Keys are never logged, nor echoed in a reason.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { hashApiKey, isApiKeyFormat } from '../../shared/domain/api-key.js';
import { encodeScopes, type AuthorizerContext } from './auth-context.js';
import { authorizerVerdictCache } from './authorizer-verdict-cache.js';
import { appConfig, controlPlane, httpLogger } from './runtime.js';

export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
/** The operator key is free-form configuration, but never longer than this. */
const MAX_KEY_LENGTH = 512;

const verdict = (context: AuthorizerContext): AuthorizerResult => ({ isAuthorized: true, context });
const refuse = (reason: string): AuthorizerResult => verdict({ principal: 'none', reason });

function headerOf(event: APIGatewayRequestAuthorizerEventV2): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') return value;
  }
  return event.identitySource?.[0];
}

function isOperatorKey(key: string, operatorHash: string | undefined): boolean {
  if (operatorHash === undefined) return false;
  const presented = createHash('sha256').update(key, 'utf8').digest();
  return timingSafeEqual(presented, Buffer.from(operatorHash, 'hex'));
}

/**
 * `touchLastUsed` only writes once a minute per key (its condition), but a refused conditional write still costs
 * a round trip and a write unit; a warm container remembers what it recorded and skips the call meanwhile.
 */
const TOUCH_EVERY_MS = 60_000;
const MAX_REMEMBERED_KEYS = 10_000;
const lastTouched = new Map<string, number>();

function shouldTouch(hash: string, now: number): boolean {
  const last = lastTouched.get(hash);
  if (last !== undefined && now - last < TOUCH_EVERY_MS) return false;
  if (lastTouched.size >= MAX_REMEMBERED_KEYS) lastTouched.clear();
  lastTouched.set(hash, now);
  return true;
}

export const handler = async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
  const header = headerOf(event);
  const key = header === undefined ? undefined : BEARER.exec(header)?.[1];
  if (key === undefined || key.length > MAX_KEY_LENGTH) {
    return refuse('Send the API key as: Authorization: Bearer <key>');
  }
  if (isOperatorKey(key, appConfig().APP_OPERATOR_KEY_HASH)) return verdict({ principal: 'operator' });
  if (!isApiKeyFormat(key)) return refuse('This API key is not valid');

  const hash = hashApiKey(key);
  const verdicts = authorizerVerdictCache();
  const cached = verdicts.get(hash, Date.now());
  if (cached !== undefined) return verdict(cached);
  const { apiKeys } = controlPlane().repos;
  const apiKey = await apiKeys.findByHash(hash);
  if (!apiKey) return refuse('This API key is not valid (unknown or revoked)');
  if (shouldTouch(hash, Date.now())) {
    // Best effort: a failed bookkeeping write must not refuse a valid key.
    await apiKeys.touchLastUsed(hash, new Date()).catch((error: unknown) =>
      httpLogger().warn('could not record API key use', {
        keyId: apiKey.id,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }
  const context: AuthorizerContext = {
    principal: 'tenant',
    tenantId: apiKey.tenantId,
    keyId: apiKey.id,
    scopes: encodeScopes(apiKey.scopes),
  };
  verdicts.set(hash, context, Date.now());
  return verdict(context);
};
