import { describe, expect, it } from 'vitest';
import {
  type AuthorizedHttpEvent,
  encodeScopes,
  requireOperator,
  requireTenant,
} from '../../../../functions/http/auth-context.js';
import { ForbiddenError, UnauthorizedError } from '../../../../shared/domain/errors.js';
import { newId } from '../../../../shared/domain/ids.js';
import { httpEvent } from './http-event.js';

function withContext(lambda: unknown): AuthorizedHttpEvent {
  const event = httpEvent() as AuthorizedHttpEvent;
  Object.assign(event.requestContext, { authorizer: { lambda } });
  return event;
}

describe('requireTenant', () => {
  const tenantId = newId();
  const keyId = newId();

  it('returns the tenant and its scopes when every required scope is granted', () => {
    const event = withContext({
      principal: 'tenant',
      tenantId,
      keyId,
      scopes: encodeScopes(['sessions:read', 'messages:send']),
    });
    expect(requireTenant(event, 'messages:send')).toEqual({
      tenantId,
      keyId,
      scopes: ['sessions:read', 'messages:send'],
    });
  });

  it('is 403 naming the missing scope', () => {
    const event = withContext({ principal: 'tenant', tenantId, keyId, scopes: 'sessions:read' });
    expect(() => requireTenant(event, 'sessions:write')).toThrow(ForbiddenError);
    expect(() => requireTenant(event, 'sessions:write')).toThrow(/sessions:write/);
  });

  it('ignores scope strings it does not know instead of granting anything', () => {
    const event = withContext({ principal: 'tenant', tenantId, keyId, scopes: 'admin:* messages:send' });
    expect(requireTenant(event).scopes).toEqual(['messages:send']);
  });

  it('is 401 with the authorizer’s reason for a refused key', () => {
    const event = withContext({ principal: 'none', reason: 'The API key is not valid' });
    expect(() => requireTenant(event)).toThrow(UnauthorizedError);
    expect(() => requireTenant(event)).toThrow('The API key is not valid');
  });

  it('fails closed (401) without an authorizer context or with a malformed one', () => {
    expect(() => requireTenant(httpEvent() as AuthorizedHttpEvent)).toThrow(UnauthorizedError);
    expect(() => requireTenant(withContext({ principal: 'tenant', tenantId: 'x' }))).toThrow(
      UnauthorizedError,
    );
  });

  it('refuses the operator key on tenant routes with 403', () => {
    expect(() => requireTenant(withContext({ principal: 'operator' }))).toThrow(ForbiddenError);
  });
});

describe('requireOperator', () => {
  it('passes the operator, refuses a tenant key (403) and a bad key (401)', () => {
    expect(() => requireOperator(withContext({ principal: 'operator' }))).not.toThrow();
    expect(() =>
      requireOperator(withContext({ principal: 'tenant', tenantId: newId(), keyId: newId(), scopes: '' })),
    ).toThrow(ForbiddenError);
    expect(() => requireOperator(withContext({ principal: 'none', reason: 'no' }))).toThrow(
      UnauthorizedError,
    );
  });
});
