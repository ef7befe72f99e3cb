import { describe, expect, it } from 'vitest';
import { AuthorizerVerdictCache } from '../../../../functions/http/authorizer-verdict-cache.js';
import type { AuthorizerContext } from '../../../../functions/http/auth-context.js';

const context: AuthorizerContext = {
  principal: 'tenant',
  tenantId: '01J00000000000000000000000',
  keyId: '01J00000000000000000000001',
  scopes: 'messages:send',
};

describe('AuthorizerVerdictCache', () => {
  it('keeps a verdict for the TTL from the read that filled it; a use does not extend it', () => {
    const cache = new AuthorizerVerdictCache(5_000);
    cache.set('hash', context, 1_000);
    expect(cache.get('hash', 5_999)).toEqual(context);
    expect(cache.get('hash', 6_000)).toBeUndefined();
    expect(cache.get('other', 1_000)).toBeUndefined();
  });

  it('a TTL of 0 keeps nothing', () => {
    const cache = new AuthorizerVerdictCache(0);
    cache.set('hash', context, 1_000);
    expect(cache.get('hash', 1_000)).toBeUndefined();
  });
});
