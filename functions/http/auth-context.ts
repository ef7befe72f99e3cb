/**
 * What the Lambda request authorizer (`functions/http/authorizer`) hands to every protected route, and the guards
 * routes use to read it.
 *
 * The authorizer answers `isAuthorized: true` for every request that carries an `Authorization` header and puts
 * its verdict in the context (`principal: 'none'` with a reason for a wrong, revoked or malformed key). API
 * Gateway's own refusal is a bare 403 `{"message":"Forbidden"}` for a wrong key; deciding in the route instead
 * gives the client a 401 problem document with a `WWW-Authenticate` challenge, as RFC 9110 asks. A request without
 * the header never reaches the authorizer (identity source) and gets API Gateway's 401.
 *
 * Context values are strings because API Gateway passes simple-response context as strings; scopes travel
 * space-separated, as OAuth's `scope` does.
 */
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { ForbiddenError, UnauthorizedError } from '../../shared/domain/errors.js';
import { IdSchema } from '../../shared/domain/ids.js';
import { type Scope, ScopeSchema, hasScopes } from '../../shared/domain/api-key.js';

export const TenantPrincipalSchema = z.object({
  principal: z.literal('tenant'),
  tenantId: IdSchema,
  keyId: IdSchema,
  scopes: z.string(),
});

export const OperatorPrincipalSchema = z.object({ principal: z.literal('operator') });

export const NoPrincipalSchema = z.object({
  principal: z.literal('none'),
  /** Shown to the client as the 401's detail: it must never echo the key or say which part was wrong. */
  reason: z.string(),
});

export const AuthorizerContextSchema = z.discriminatedUnion('principal', [
  TenantPrincipalSchema,
  OperatorPrincipalSchema,
  NoPrincipalSchema,
]);
export type AuthorizerContext = z.infer<typeof AuthorizerContextSchema>;

export type AuthorizedHttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export interface TenantCaller {
  readonly tenantId: string;
  readonly keyId: string;
  readonly scopes: readonly Scope[];
}

export function encodeScopes(scopes: readonly Scope[]): string {
  return scopes.join(' ');
}

function decodeScopes(value: string): Scope[] {
  return value
    .split(' ')
    .filter((s) => s.length > 0)
    .flatMap((s) => {
      const parsed = ScopeSchema.safeParse(s);
      return parsed.success ? [parsed.data] : [];
    });
}

function contextOf(event: AuthorizedHttpEvent): AuthorizerContext {
  const parsed = AuthorizerContextSchema.safeParse(event.requestContext.authorizer?.lambda);
  // A route wired without the authorizer (or a malformed context) must fail closed, never act as someone.
  if (!parsed.success) throw new UnauthorizedError();
  return parsed.data;
}

/**
 * The calling tenant, after checking its key carries every `required` scope: 401 without a valid key, 403 when a
 * scope is missing. The operator key is not a tenant: tenant routes refuse it with 403.
 */
export function requireTenant(event: AuthorizedHttpEvent, ...required: Scope[]): TenantCaller {
  const context = contextOf(event);
  if (context.principal === 'none') throw new UnauthorizedError(context.reason);
  if (context.principal === 'operator') {
    throw new ForbiddenError('The operator key manages tenants; use a tenant API key for this route');
  }
  const scopes = decodeScopes(context.scopes);
  if (!hasScopes(scopes, required)) {
    throw new ForbiddenError(
      `This API key lacks the scope(s): ${required.filter((s) => !scopes.includes(s)).join(', ')}`,
    );
  }
  return { tenantId: context.tenantId, keyId: context.keyId, scopes };
}

/** Operator-only routes (creating tenants): 401 without a valid key, 403 for a tenant key. */
export function requireOperator(event: AuthorizedHttpEvent): void {
  const context = contextOf(event);
  if (context.principal === 'none') throw new UnauthorizedError(context.reason);
  if (context.principal !== 'operator') throw new ForbiddenError('This route needs the operator key');
}
